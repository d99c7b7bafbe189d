// The login form: POST /dashboard/login sets the session cookie; then / serves the dashboard itself.
const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  document.getElementById('api-key').removeAttribute('aria-invalid');
  const key = document.getElementById('api-key').value;
  try {
    const response = await fetch('/dashboard/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-LFT-Dashboard': '1' },
      body: JSON.stringify({ api_key: key }),
    });
    if (response.ok) {
      location.reload();
      return;
    }
    const body = await response.json().catch(() => ({}));
    error.textContent = body.detail || `Sign-in failed (${response.status}).`;
  } catch (e) {
    error.textContent = `The server cannot be reached (${e.message}). Is lft serve running?`;
  }
  error.hidden = false;
  // Back on the field, marked invalid, so the key can be retyped at once (the alert is read out).
  const input = document.getElementById('api-key');
  input.setAttribute('aria-invalid', 'true');
  input.classList.add('invalid');
  input.focus();
});
