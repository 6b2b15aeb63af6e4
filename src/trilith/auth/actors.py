"""Who is making a request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Actor", "Role"]

Role = Literal["viewer", "editor", "admin"]


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    role: Role
