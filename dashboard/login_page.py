"""The sign-in page: a plain HTML form (no JavaScript needed; Enter submits).

Presentation layer. Rendered with ``flask.render_template_string``, which escapes every value
(the username typed, messages): nothing a visitor types is ever interpreted as HTML.
Kept in Python rather than a template file so that it ships in any installation.
"""

from __future__ import annotations

LOGIN_TEMPLATE = """\
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign in · ClinicOps</title>
  <link rel="stylesheet" href="/assets/bootstrap.min.css">
</head>
<body class="bg-light">
  <main class="container" style="max-width: 24rem; margin-top: 12vh;">
    <h1 class="h3 mb-4">ClinicOps</h1>
    <form method="post" action="{{ url_for('auth.login') }}" class="card card-body shadow-sm">
      <h2 class="h5 mb-3">Sign in</h2>
      {% if message %}
      <div class="alert alert-danger py-2" role="alert" id="login-message">{{ message }}</div>
      {% endif %}
      <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
      <input type="hidden" name="next" value="{{ next }}">
      <label class="form-label" for="username">Username</label>
      <input class="form-control mb-3" id="username" name="username" type="text"
             value="{{ username }}" autocomplete="username" autocapitalize="none"
             spellcheck="false" required autofocus>
      <label class="form-label" for="password">Password</label>
      <input class="form-control mb-3" id="password" name="password" type="password"
             autocomplete="current-password" required>
      <button class="btn btn-primary w-100" type="submit">Sign in</button>
    </form>
  </main>
</body>
</html>
"""
