// A page that lets a person act as a phone (or chat user): pick who you are and whom you write to,
// send messages through the device API and watch replies arrive (it polls GET /Emulator/Outbound).
// Plain HTML and JavaScript, served as is: no build step.

export function phonePage(): string {
  return PAGE;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Emulated phone · Studio on Temporal</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d1d1f; background: #f2f2f7; }
  body { margin: 0; display: flex; justify-content: center; }
  main { width: min(460px, 100vw); height: 100vh; display: flex; flex-direction: column; background: #fff; box-shadow: 0 0 12px rgba(0,0,0,.08); }
  header { padding: 12px 16px; border-bottom: 1px solid #e5e5ea; display: grid; grid-template-columns: auto 1fr; gap: 6px 10px; align-items: center; }
  header h1 { grid-column: 1 / -1; font-size: 1rem; margin: 0 0 4px; }
  header label { font-size: .85rem; color: #6e6e73; }
  header input { font: inherit; padding: 6px 8px; border: 1px solid #d2d2d7; border-radius: 8px; min-width: 0; }
  #thread { flex: 1; overflow-y: auto; padding: 16px; display: flex; flex-direction: column; gap: 8px; }
  .bubble { max-width: 78%; padding: 8px 12px; border-radius: 18px; white-space: pre-wrap; overflow-wrap: anywhere; }
  .bubble small { display: block; font-size: .7rem; opacity: .75; margin-top: 2px; }
  .sent { align-self: flex-end; background: #0b84ff; color: #fff; }
  .received { align-self: flex-start; background: #e9e9eb; }
  .error { align-self: center; color: #c00; font-size: .85rem; text-align: center; }
  .empty { align-self: center; color: #6e6e73; font-size: .85rem; margin-top: 40%; text-align: center; }
  form { display: flex; gap: 8px; padding: 12px; border-top: 1px solid #e5e5ea; }
  form input { flex: 1; font: inherit; padding: 8px 12px; border: 1px solid #d2d2d7; border-radius: 18px; }
  form button { font: inherit; border: 0; background: #0b84ff; color: #fff; border-radius: 18px; padding: 8px 16px; cursor: pointer; }
  #status { font-size: .75rem; color: #6e6e73; padding: 0 16px 8px; }
</style>
</head>
<body>
<main>
  <header>
    <h1>Emulated phone</h1>
    <label for="from">I am</label>
    <input id="from" list="devices" value="+15550000001" placeholder="+1555…, whatsapp:+1…, or a chat identity">
    <label for="to">Writing to</label>
    <input id="to" list="twilio-addresses" value="+15557654321" placeholder="a Twilio number, whatsapp: sender or ConversationSid">
    <datalist id="devices"></datalist>
    <datalist id="twilio-addresses"></datalist>
  </header>
  <div id="thread" aria-live="polite"></div>
  <div id="status"></div>
  <form id="composer">
    <input id="body" autocomplete="off" placeholder="Message" aria-label="Message">
    <button type="submit">Send</button>
  </form>
</main>
<script>
(function () {
  var fromInput = document.getElementById('from');
  var toInput = document.getElementById('to');
  var bodyInput = document.getElementById('body');
  var thread = document.getElementById('thread');
  var statusLine = document.getElementById('status');
  var received = [];
  var errors = [];
  var lastRendered = '';

  fromInput.value = localStorage.getItem('emulator.from') || fromInput.value;
  toInput.value = localStorage.getItem('emulator.to') || toInput.value;

  function me() { return fromInput.value.trim(); }
  // What this device sent lives in the browser: the emulator only keeps what devices receive.
  function sentKey() { return 'emulator.sent.' + me(); }
  function sentMessages() { try { return JSON.parse(sessionStorage.getItem(sentKey()) || '[]'); } catch (e) { return []; } }
  function remember(message) { var all = sentMessages(); all.push(message); sessionStorage.setItem(sentKey(), JSON.stringify(all)); }

  [fromInput, toInput].forEach(function (input) {
    input.addEventListener('change', function () {
      localStorage.setItem('emulator.' + input.id, input.value.trim());
      errors = [];
      received = [];
      render();
      poll();
    });
  });

  function bubble(kind, text, caption) {
    var element = document.createElement('div');
    element.className = kind === 'error' || kind === 'empty' ? kind : 'bubble ' + kind;
    element.textContent = text;
    if (caption) {
      var small = document.createElement('small');
      small.textContent = caption;
      element.appendChild(small);
    }
    return element;
  }

  function render() {
    var items = sentMessages().map(function (m) {
      return { kind: 'sent', text: m.body, caption: 'to ' + m.to + ' · ' + new Date(m.at).toLocaleTimeString(), at: m.at };
    }).concat(received.map(function (m) {
      var at = Date.parse(m.date_created);
      var text = m.body + (m.media_urls ? '\\n' + m.media_urls.join('\\n') : '');
      return { kind: 'received', text: text, caption: 'from ' + m.from + ' · ' + new Date(at).toLocaleTimeString(), at: at };
    })).concat(errors.map(function (e) {
      return { kind: 'error', text: e.text, caption: '', at: e.at };
    }));
    items.sort(function (a, b) { return a.at - b.at; });
    var signature = JSON.stringify(items);
    if (signature === lastRendered) return;
    lastRendered = signature;
    var nodes = items.length ? items.map(function (item) { return bubble(item.kind, item.text, item.caption); })
      : [bubble('empty', 'No messages yet. Write to a Twilio number that has an Address Configuration, an SmsUrl or a Conversation binding you.', '')];
    thread.replaceChildren.apply(thread, nodes);
    thread.scrollTop = thread.scrollHeight;
  }

  function fillList(id, values) {
    var list = document.getElementById(id);
    list.replaceChildren.apply(list, values.map(function (value) { var option = document.createElement('option'); option.value = value; return option; }));
  }

  function poll() {
    if (!me()) return;
    fetch('/Emulator/Outbound?To=' + encodeURIComponent(me()))
      .then(function (response) { return response.json(); })
      .then(function (data) {
        received = data.messages;
        statusLine.textContent = 'Polling the inbox of ' + me() + ' · ' + received.length + ' received';
        render();
      })
      .catch(function () { statusLine.textContent = 'The emulator is not reachable'; });
  }

  function loadDirectory() {
    fetch('/Emulator/Directory').then(function (response) { return response.json(); }).then(function (directory) {
      fillList('devices', directory.devices);
      fillList('twilio-addresses', directory.twilio_addresses);
    }).catch(function () {});
  }

  document.getElementById('composer').addEventListener('submit', function (event) {
    event.preventDefault();
    var text = bodyInput.value;
    if (!text.trim()) return;
    bodyInput.value = '';
    var at = Date.now();
    var to = toInput.value.trim();
    remember({ to: to, body: text, at: at });
    render();
    fetch('/Emulator/Inbound', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ From: me(), To: to, Body: text })
    })
      .then(function (response) { return response.json().then(function (data) { return { ok: response.ok, data: data }; }); })
      .then(function (result) {
        if (!result.ok) errors.push({ text: 'Not delivered: ' + (result.data.message || 'error ' + result.data.code), at: at + 1 });
        render();
        poll();
        loadDirectory();
      })
      .catch(function () { errors.push({ text: 'The emulator is not reachable', at: at + 1 }); render(); });
  });

  render();
  poll();
  loadDirectory();
  setInterval(poll, 1000);
  setInterval(loadDirectory, 10000);
})();
</script>
</body>
</html>
`;
