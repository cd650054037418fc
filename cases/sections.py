"""Sections of the case page and the member page, contributed by each app.

An app registers its section from its ``AppConfig.ready()``; the case page shows
them as tabs in ``order``. ``context`` receives the case (or member) and the
request user and returns extra template context, loaded through that app's
selectors so visibility rules hold.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str
    order: int = 100
    context: Callable[..., dict] | None = field(default=None, compare=False)


CASE_SECTIONS: dict[str, Section] = {}
MEMBER_SECTIONS: dict[str, Section] = {}


def register_case_section(*, key: str, title, template: str, order: int = 100, context=None) -> None:
    CASE_SECTIONS[key] = Section(key=key, title=title, template=template, order=order, context=context)


def register_member_section(*, key: str, title, template: str, order: int = 100, context=None) -> None:
    MEMBER_SECTIONS[key] = Section(key=key, title=title, template=template, order=order, context=context)


def case_sections() -> list[Section]:
    return sorted(CASE_SECTIONS.values(), key=lambda s: (s.order, s.key))


def member_sections() -> list[Section]:
    return sorted(MEMBER_SECTIONS.values(), key=lambda s: (s.order, s.key))
