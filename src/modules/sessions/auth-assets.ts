/**
 * The sign-in page's stylesheet and script, served from this server (no inline code: the pages'
 * CSP allows scripts and styles from 'self' only).
 */

export const LOGIN_CSS = `*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:100%;color:#1d2327;background:#f0f0f1}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:1rem}
main{width:100%;max-width:22rem;background:#fff;border:1px solid #c3c4c7;border-radius:.5rem;padding:1.75rem 1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin:0 0 1.25rem}
p{line-height:1.5;margin:0 0 1rem}
form{margin:0 0 1rem}
main>:last-child{margin-bottom:0}
label{display:block;font-weight:600;margin:0 0 .35rem}
input[type=text],input[type=password]{display:block;width:100%;font:inherit;padding:.55rem .65rem;border:1px solid #8c8f94;border-radius:.25rem;margin:0 0 1rem}
input[aria-invalid=true]{border-color:#b32d2e}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #2271b1;outline-offset:2px}
.remember{display:flex;align-items:center;gap:.5rem;margin:0 0 1.25rem}
.remember label{display:inline;font-weight:400;margin:0}
.remember input{width:1.1rem;height:1.1rem;margin:0}
button,.button{display:inline-block;font:inherit;font-weight:600;color:#fff;background:#2271b1;border:0;border-radius:.25rem;padding:.6rem 1.2rem;cursor:pointer;text-decoration:none}
button:hover,.button:hover{background:#135e96}
.error{border-left:4px solid #b32d2e;background:#fcf0f1;padding:.6rem .75rem;margin:0 0 1rem}
.notice{border-left:4px solid #00a32a;background:#edfaef;padding:.6rem .75rem}
.sync{font-size:.9rem;color:#50575e}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

/**
 * Redirect step: leaves for the remote site right away (`location.replace`, so the step is not in the
 * history), also on a script error, as the plugin's redirect page does. Iframe step: loads the hidden
 * iframes (their `src` is set here, after the listeners: a fast answer cannot be missed; a `noscript`
 * copy serves browsers without scripts); once all have loaded (or after 5 s) announces it and goes on
 * to `data-redirect-to` if there is one.
 */
export const LOGIN_JS = `(function () {
  var next = document.getElementById('wprus-next');
  if (next) {
    var go = function () { window.location.replace(next.getAttribute('href')); };
    window.onerror = go;
    setTimeout(go, 1);
    return;
  }
  var box = document.getElementById('wprus-async');
  if (!box) return;
  var frames = box.querySelectorAll('iframe');
  var pending = frames.length;
  var finished = false;
  var finish = function () {
    if (finished) return;
    finished = true;
    var status = document.getElementById('wprus-status');
    if (status) status.textContent = status.getAttribute('data-done') || '';
    var target = box.getAttribute('data-redirect-to');
    if (target) window.location.replace(target);
  };
  for (var i = 0; i < frames.length; i++) {
    frames[i].addEventListener('load', function () { pending -= 1; if (pending <= 0) finish(); });
    frames[i].setAttribute('src', frames[i].getAttribute('data-src'));
  }
  if (pending === 0) finish();
  setTimeout(finish, 5000);
})();
`;
