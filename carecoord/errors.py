"""The one domain error type. Services raise it; views show it next to the field,
the API returns it as a 400 naming the field and the rule."""
from __future__ import annotations


class RuleViolation(Exception):
    """A workflow or data rule refused an action. Nothing was written.

    ``field`` names the input at fault (or ``"__all__"``), ``rule`` is a stable code
    (e.g. ``"noa.ten_day_advance"``) and ``message`` says in words what is wrong.
    """

    def __init__(self, message: str, *, field: str = "__all__", rule: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.rule = rule

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}
