"""Easy-read mode: the same questionnaire, asked one question per page in its shortest
words. The citizen's copy puts each item in a section of its own (so a page holds one
question) with its `easy` text where the file gives one; ids, codes and conditions are
the file's, so the answers are stored and analysed as any other. The form adds the
faces, larger targets and the read-aloud button (templates/page.html)."""

from __future__ import annotations

import msgspec

from service.surveys.model import Questionnaire, Section


def version(q: Questionnaire) -> Questionnaire:
    """`q` as the easy-read form asks it (made per request, never cached)."""
    sections = [Section(id=f"{s.id}__{item.id}", title=s.title, theme=s.theme, min_group_size=s.min_group_size,
                        intro=s.intro if n == 0 else None,
                        items=[msgspec.structs.replace(item, text=item.easy or item.text, help=None)])
                for s in q.sections for n, item in enumerate(s.items)]
    return msgspec.structs.replace(q, sections=sections)
