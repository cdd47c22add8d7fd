"""django-environ's reader with the project's rules, so a bad value stops the process at startup.

Every setting that comes from the environment is read through `env` (one
`Env`), in `base.py` and `production.py`. Its rules differ from
django-environ's on purpose:

- A value that does not parse raises `ImproperlyConfigured` naming the
  variable and the value (`UPLOAD_MAX_BYTES='50MB' is not valid: ...`),
  where django-environ lets the bare `ValueError` of `int()` through.
- A value is taken literally. django-environ reads a value that starts with
  `$` as the name of another variable to read instead; a secret key or a
  password may well start with `$` (Django's `get_random_secret_key()`
  draws from an alphabet that has it).
- A boolean is one of django-environ's words for true (`1`, `true`, `yes`,
  `on`, `y`, `ok`) or one for false (`0`, `false`, `no`, `off`, `n`, or
  empty), in any case; anything else is refused, where django-environ would
  read it as false.
- A float is Python's `float()`. django-environ first drops every character
  but digits, `,`, `.` and `-`, so `1e3` would read as 13 and `5s` as 5.
- A list is comma-separated; spaces around an item are dropped and so are
  empty items (`a, b,` is `["a", "b"]`).
- `str(..., choices=...)` names the variable when the value is not a choice.
- `db_url` refuses an empty value and a scheme it does not know, as
  dj-database-url did, without echoing the URL (it may hold a password).
"""

from __future__ import annotations

import warnings
from collections.abc import Collection
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset(environ.Env.BOOLEAN_TRUE_STRINGS)
FALSE_WORDS = frozenset({"0", "false", "no", "off", "n", ""})
NOTSET = environ.Env.NOTSET


class Env(environ.Env):
    """django-environ's `Env`, strict and literal (see the module's docstring)."""

    def get_value(self, var: str, cast: Any = None, default: Any = NOTSET, parse_default: bool = False) -> Any:
        """The variable's value cast by `cast`, or `default` (taken as given) when it is not set."""
        raw = self.ENVIRON.get(var)
        if raw is None:
            if default is NOTSET:
                raise ImproperlyConfigured(f"Set the {var} environment variable.")
            return default
        try:
            return self.parse_value(raw, cast)
        except ValueError as error:
            raise ImproperlyConfigured(f"{var}={raw!r} is not valid: {error}") from error

    @classmethod
    def parse_value(cls, value: str, cast: Any) -> Any:
        """`value` cast by `cast`, with the project's rules for booleans, floats and lists."""
        if cast is bool:
            word = value.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise ValueError("expected a boolean: 1, true, yes, on or 0, false, no, off")
        if cast is float:
            return float(value)
        if cast is list:
            return [item.strip() for item in value.split(",") if item.strip()]
        return super().parse_value(value, cast)

    def str(  # type: ignore[override]
        self,
        var: str,
        default: Any = NOTSET,
        multiline: bool = False,
        choices: Collection[str] | None = None,
    ) -> Any:
        """The variable's text, refused (naming it) when `choices` are given and it is not one."""
        value = super().str(var, default=default, multiline=multiline)
        if choices is not None and value not in choices:
            raise ImproperlyConfigured(f"{var}={value!r} is not valid: expected one of {', '.join(choices)}")
        return value

    def db_url(self, var: str = "DATABASE_URL", default: Any = NOTSET, engine: str | None = None) -> dict[str, Any]:
        """Django's `DATABASES` entry for the URL in `var`, refusing one that names no engine it knows."""
        url = self.get_value(var, default=default)
        if not url:
            raise ImproperlyConfigured(f"{var} is empty: unset it for the default database, or give a database URL.")
        with warnings.catch_warnings():
            # django-environ warns "Engine not recognized" and goes on; the check below refuses instead.
            warnings.simplefilter("ignore", UserWarning)
            config = self.db_url_config(url, engine=engine)
        if engine is None and config.get("ENGINE") not in set(self.DB_SCHEMES.values()):
            raise ImproperlyConfigured(
                f"{var} is not a database URL this site knows (postgres://... or sqlite:///...)."
            )
        return config


env = Env()
