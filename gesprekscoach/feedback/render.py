"""The report as readable Dutch for the chat, split to fit chat message limits."""

from __future__ import annotations

from gesprekscoach.feedback.report import CREDITED, FLAGGED, BetterTurn, Evidence, Report

# Telegram allows 4,096 characters per message; stay clear of it.
CHAT_LIMIT = 3500
MARK = {CREDITED: "✓", FLAGGED: "✗"}
BETTER_IN_CHAT = 6
"""At most this many better sentences in the chat (the first ones); all are in the payload."""
SHORT_QUOTE = 80


def _quote(evidence: Evidence | None) -> str:
    if evidence is None or evidence.turn is None:
        return ""
    text = evidence.text if len(evidence.text) <= 160 else evidence.text[:157] + "..."
    return f'Je schreef in bericht {evidence.turn}: "{text}"\n'


def _short(text: str) -> str:
    return text if len(text) <= SHORT_QUOTE else text[: SHORT_QUOTE - 3].rstrip() + "..."


def _moment(label: str, evidence: Evidence | None) -> str:
    """'Wel goed: in bericht 6 ...' or 'Let op: ...': the other side of a weighed tip."""
    if evidence is None or evidence.turn is None:
        return ""
    return f'\n{label}: in bericht {evidence.turn} ("{_short(evidence.text)}"). {evidence.note}'


def going_back_line(reverts: int, tips_asked: int) -> str:
    """'Je ging 2 keer terug en vroeg 1 keer om een tip.', or empty when both are 0."""
    parts = []
    if reverts:
        parts.append(f"ging {reverts} keer terug")
    if tips_asked:
        parts.append(f"vroeg {tips_asked} keer om een tip")
    return f"Je {' en '.join(parts)}." if parts else ""


def better_section(better: tuple[BetterTurn, ...], name: str) -> str:
    """Per weak message: the words, why it did not work for this inwoner, what to try."""
    shown = better[:BETTER_IN_CHAT]
    lines = [f"Zo kon het beter bij {name}"]
    for b in shown:
        lines.append(f'Bericht {b.turn}: "{_short(b.text)}"\n{b.why}\nProbeer: "{b.try_}"')
    rest = len(better) - len(shown)
    if rest:
        lines.append(f"En nog {rest} bericht{'en' if rest != 1 else ''} waar dit ook kon.")
    return "\n\n".join(lines)


def _decimal(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}".replace(".", ",")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def render_sections(report: Report) -> list[str]:
    name = report.persona_name.split()[0]
    m = report.measures
    title = f"Feedback op je gesprek met {report.persona_name}"
    going_back = going_back_line(report.reverts, report.tips_asked)
    if report.variant_label:
        title = f"{title}\nDeze keer: {report.variant_label}"
    sections = [f"{title}\n{going_back}" if going_back else title]

    if report.went_well:
        lines = ["Wat ging goed"]
        for p in report.went_well:
            slip = _moment("Let op", p.slip)
            lines.append(f"✓ {p.tip} {p.heading}\n{_quote(p.evidence)}{p.text}{slip}")
        sections.append("\n\n".join(lines))
    else:
        sections.append("Wat ging goed\nIn dit gesprek zag ik nog geen van de tips terug.")

    if report.work_on:
        lines = [f"{'Drie dingen' if len(report.work_on) == 3 else 'Om'} aan te werken"]
        for i, p in enumerate(report.work_on, 1):
            lines.append(
                f"{i}. {p.tip} {p.heading}\n{_quote(p.evidence)}{p.text}"
                f"{_moment('Wel goed', p.good_moment)}\n"
                f'Probeer de volgende keer: "{p.try_}"'
            )
        sections.append("\n\n".join(lines))

    if report.better:
        sections.append(better_section(report.better, name))

    found = "niet gevonden"
    if m.hidden_need_found:
        found = f"gevonden in bericht {m.hidden_need_turn}"
    needs = "niet gesteld"
    if m.first_needs_question_turn:
        needs = f"bericht {m.first_needs_question_turn}"
    data = "nee"
    if m.data_before_trust:
        data = f"ja (bericht {', '.join(map(str, m.data_before_trust_turns))})"
    sections.append(
        "In cijfers\n"
        f"- Open vragen: {_percent(m.open_question_share)} van je {m.questions} vragen\n"
        f"- Reflecties (empathie, samenvatten): {m.reflections}"
        f" ({_decimal(m.reflections_per_question)} per vraag)\n"
        f"- Jouw deel van de woorden: {_percent(m.casemanager_word_share)}\n"
        f"- Eerste vraag naar wat {name} nodig heeft: {needs}\n"
        f"- Gegevens gevraagd voordat er vertrouwen was: {data}\n"
        f"- Berichten in duidelijke taal (B1): {_percent(m.plain_language_share)}\n"
        f"- Vertrouwen van {name}: {m.trust_curve[0]:.0f} → {m.trust_curve[-1]:.0f}\n"
        f"- Verborgen behoefte: {found}"
    )
    lines = ["Alle tips"]
    for t in report.tips:
        mark = MARK.get(t.status, "–")
        suffix = "" if t.status != "not_applicable" else " (kwam niet aan bod)"
        lines.append(f"{mark} {t.id} {t.heading}{suffix}")
    sections.append("\n".join(lines))
    return sections


def split_for_chat(sections: list[str], limit: int = CHAT_LIMIT) -> list[str]:
    """Pack sections into messages of at most `limit` characters, cutting long ones at lines."""
    messages: list[str] = []
    current = ""
    for section in sections:
        pieces = [section]
        if len(section) > limit:
            pieces, piece = [], ""
            for line in section.splitlines(keepends=True):
                while len(line) > limit:
                    pieces.append(piece + line[: limit - len(piece)])
                    line, piece = line[limit - len(piece) :], ""
                if len(piece) + len(line) > limit:
                    pieces.append(piece)
                    piece = ""
                piece += line
            pieces.append(piece)
        for piece in pieces:
            piece = piece.strip("\n")
            if current and len(current) + 2 + len(piece) <= limit:
                current += "\n\n" + piece
            else:
                if current:
                    messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def render_text(report: Report, limit: int = CHAT_LIMIT) -> list[str]:
    return split_for_chat(render_sections(report), limit)
