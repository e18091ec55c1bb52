"""Impact: ladder-of-co-production ratings, "you said, we did" and box-ticking flags."""

from __future__ import annotations

from panels.features import Feature

feature = Feature(name="impact")
