"""`coach chat`: a practice conversation in the terminal."""

from __future__ import annotations

import random
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gesprekscoach.domain import Catalogues
from gesprekscoach.personas import Persona, variants
from gesprekscoach.protocol import REWIND, START, TURN, kind_of
from gesprekscoach.rasa_client import RasaClient, RasaUnavailable, Reply
from gesprekscoach.turn import PayloadError, Standing, TurnEvent

WIDTH = 78
HELP = """\
Zo werkt het:
  Typ je bericht aan de inwoner en druk op Enter.
  /stop           het gesprek afronden en je feedback lezen
  /terug          je laatste bericht terugnemen en het anders proberen
  /opnieuw 3      opnieuw beginnen vanaf bericht 3 (of een ander nummer)
  /tip            een tip voor je volgende bericht
  /hints aan|uit  tips en gedachten van de inwoner tijdens het gesprek aan of uit
  /status         vertrouwen en spanning van de inwoner nu
  /help           deze uitleg
Terug, opnieuw en tips werken niet in de examenstand (hints uit)."""
# Past this the inwoner only reads a pasted document; Rasa still gets it all.
MAX_CHARS = 10_000


def wrap(text: str, indent: str = "") -> str:
    paragraphs = text.splitlines() or [""]
    return "\n".join(
        textwrap.fill(p, WIDTH, initial_indent=indent, subsequent_indent=indent) if p else ""
        for p in paragraphs
    )


def choose_persona(
    catalogues: Catalogues,
    wanted: str | None,
    ask: Callable[[str], str],
    only: tuple[str, ...] = (),
) -> Persona:
    """The inwoner to practise with: the one asked for, or a choice (among `only`, if given)."""
    personas = [p for p in catalogues.personas if not only or p.id in only]
    if len(personas) == 1 and not wanted:
        return personas[0]
    if wanted:
        try:
            return catalogues.personas.get(wanted)
        except KeyError:
            print(f"Die inwoner ken ik niet: {wanted!r}.")
    print("Met wie wil je oefenen?")
    for i, p in enumerate(personas, 1):
        print(f"  {i}. {p.name} ({p.type})")
        print(wrap(p.summary, indent="     "))
    while True:
        answer = ask(f"Typ een nummer (1-{len(personas)}) en druk op Enter: ").strip()
        if answer.isdigit() and 1 <= int(answer) <= len(personas):
            return personas[int(answer) - 1]
        match = [p for p in personas if answer.lower() in (p.id, p.type)]
        if match:
            return match[0]
        print(f"Dat is geen keuze. Typ een nummer van 1 tot en met {len(personas)}.")


def status_line(standing: Standing, move_label: str | None = None) -> str:
    """The inwoner's trust and stress, and after a turn what the message was taken for."""
    parts = [f"vertrouwen {standing.trust:.0f}", f"spanning {standing.stress:.0f}"]
    if move_label is not None:
        parts.append(f"herkend als: {move_label}")
    return "  [" + " | ".join(parts) + "]"


def _turn(reply: Reply) -> TurnEvent | None:
    try:
        return TurnEvent.from_payload(reply.payload, reply.text)
    except PayloadError:
        return None


class TerminalChat:
    def __init__(
        self,
        client: RasaClient,
        catalogues: Catalogues,
        ask: Callable[[str], str] = input,
        recover: Callable[[], bool] | None = None,
        hints: bool = True,
        report_dir: Path | None = None,
        personas: tuple[str, ...] = (),
        undo: bool | None = None,
        variant: str = variants.RANDOM,
        recent: Callable[[str], list[str | None]] | None = None,
    ) -> None:
        self.client = client
        self.catalogues = catalogues
        self.ask = ask
        self.recover = recover
        """Restarts servers that died; given when this chat started them itself."""
        self.hints = hints
        self.report_dir = report_dir
        self.personas = personas
        """The inwoners to choose from (a workshop's); empty: all."""
        self.undo = undo
        """Whether going back is allowed (a workshop's choice); None: outside exam mode."""
        self.variant = variant
        """"willekeurig" (a variant by seed), "geen" or a variant id."""
        self.recent = recent
        """The user's last variants of a persona, so a drawn seed gives another one."""
        self.sender = f"terminal-{uuid.uuid4().hex[:12]}"
        self.standing = Standing(0.0, 0.0)
        """The inwoner's trust and stress after the latest reply (for /status)."""
        self.pending: str | None = None

    def show(self, persona: Persona, reply: Reply) -> None:
        kind = kind_of(reply.payload)
        # The inwoner speaks in turns and the opening; the rest is the coach talking.
        who = (
            f"{persona.name.split()[0]}: "
            if kind in (TURN, START)
            else "↩ "
            if kind == REWIND
            else ""
        )
        for text in reply.texts:
            print(wrap(f"{who}{text}"))
        event = _turn(reply) if kind == TURN else None
        if event is not None:
            if self.hints and event.thought:
                # Never in exam mode: there the thoughts wait for the report.
                print(wrap(f"💭 {persona.name.split()[0]} denkt: {event.thought}", indent="  "))
            for hint in event.coaching:
                print(wrap(f"💡 Coach: {hint}", indent="  "))
            self.standing = event.after
            print(status_line(self.standing, self.catalogues.moves.label(event.move)))
        elif kind == REWIND:
            back = reply.payload
            self.standing = Standing(float(back.get("trust", 0)), float(back.get("stress", 0)))
            print(status_line(self.standing))
        elif kind == START:
            start = reply.payload
            self.standing = Standing(float(start.get("trust", 0)), float(start.get("stress", 0)))
            print(status_line(self.standing))

    def _send_or_recover(self, text: str) -> Reply:
        try:
            return self.client.send(self.sender, text)
        except RasaUnavailable:
            if self.recover is None:
                raise
            print("\n[!] De oefenserver reageert niet. Ik start hem opnieuw; dat duurt even.")
            if not self.recover():
                raise
            return self.client.send(self.sender, text)

    def send(self, persona: Persona, text: str) -> bool:
        try:
            reply = self._send_or_recover(text)
        except RasaUnavailable as exc:
            self.pending = text
            print(
                f"\n[!] {exc} Je bericht is niet verloren: druk op Enter zonder iets te typen "
                "om het opnieuw te sturen, of typ /stop.\n"
            )
            return False
        self.pending = None
        self.show(persona, reply)
        return True

    def seed_for(self, persona: Persona) -> int:
        """A fresh seed; with random variants, one that gives another than the last ones."""
        rng = random.SystemRandom()
        if self.variant != variants.RANDOM:
            return rng.randrange(variants.MAX_SEED)
        recent = self.recent(persona.id) if self.recent is not None else []
        return variants.seed_for_another(persona, recent, rng)

    def run(self, wanted: str | None, seed: int | None = None) -> int:
        try:
            persona = choose_persona(self.catalogues, wanted, self.ask, self.personas)
        except (EOFError, KeyboardInterrupt):
            print("\nGeen inwoner gekozen; er is geen gesprek begonnen.")
            return 0
        print("\n" + "=" * WIDTH)
        print(wrap(f"Je oefent met {persona.name} ({persona.age}).\n\n{persona.briefing}"))
        print("=" * WIDTH)
        print(HELP + "\n")
        if seed is None:
            seed = self.seed_for(persona)
        try:
            reply = self.client.start_practice(
                self.sender,
                persona.id,
                seed,
                hints=self.hints,
                undo=self.undo,
                variant=self.variant,
            )
        except RasaUnavailable as exc:
            print(f"[!] {exc} Het gesprek kan niet beginnen. Probeer het later opnieuw.")
            return 1
        if kind_of(reply.payload) != START:
            print(wrap(reply.text))  # refused, e.g. a variant this inwoner does not have
            return 2
        self.show(persona, reply)
        while True:
            try:
                line = self.ask("\njij> ")
            except (EOFError, KeyboardInterrupt):
                print("\n(gesprek afgerond)")
                line = "/stop"
            text = line.strip()
            if not text and self.pending is not None:
                self.send(persona, self.pending)
                continue
            if text.lower() in ("/stop", "/klaar", "/einde"):
                return self.finish(persona)
            if text.lower() == "/help":
                print(HELP)
                continue
            if text.lower().startswith("/hints"):
                self.switch_hints(text)
                continue
            if text.lower() == "/status":
                print(status_line(self.standing))
                continue
            if text.lower() in ("/terug", "/tip") or text.lower().startswith("/opnieuw"):
                self.aid(persona, text.lower())
                continue
            if text.startswith("/"):
                print("Dat commando ken ik niet. Typ /help voor de mogelijkheden.")
                continue
            self.send(persona, line[:MAX_CHARS])

    def aid(self, persona: Persona, command: str) -> None:
        """/terug, /opnieuw N or /tip: the server answers (or refuses, e.g. in exam mode)."""
        try:
            if command == "/terug":
                reply = self.client.go_back(self.sender)
            elif command == "/tip":
                reply = self.client.ask_tip(self.sender)
            else:
                number = command[len("/opnieuw") :].strip()
                if not number.isdigit() or not 1 <= int(number) <= 10_000:
                    print("Typ /opnieuw en het nummer van een bericht, bijvoorbeeld /opnieuw 3.")
                    return
                reply = self.client.start_again_from(self.sender, int(number))
        except RasaUnavailable as exc:
            print(f"[!] {exc} Probeer het zo nog eens.")
            return
        if command == "/tip" and kind_of(reply.payload) != "error":
            print(wrap(f"💡 {reply.text}", indent="  "))
            return
        self.show(persona, reply)

    def switch_hints(self, command: str) -> None:
        arg = command[len("/hints") :].strip().lower()
        if arg not in ("aan", "uit"):
            print("Typ /hints aan of /hints uit.")
            return
        try:
            reply = self.client.set_hints(self.sender, arg == "aan")
        except RasaUnavailable as exc:
            print(f"[!] {exc} Probeer het zo nog eens.")
            return
        self.hints = arg == "aan"
        print(reply.text)

    def save_chart(self, report: dict[str, Any]) -> Path | None:
        if self.report_dir is None:
            return None
        from gesprekscoach.charts import theme_chart

        self.report_dir.mkdir(parents=True, exist_ok=True)
        path = self.report_dir / f"{self.sender}.png"
        path.write_bytes(theme_chart(report, self.catalogues.tips.themes))
        return path

    def reflect(self, persona: Persona) -> str:
        """Before the report: what the casemanager thinks the inwoner needed (Enter skips)."""
        first = persona.name.split()[0]
        print(f"\nVoordat je de feedback leest: wat denk je dat {first} nodig heeft?")
        try:
            answer = self.ask("Schrijf het in je eigen woorden (Enter = overslaan)> ")
        except (EOFError, KeyboardInterrupt):
            return ""
        return answer.strip()[:2000]

    def finish(self, persona: Persona) -> int:
        answer = self.reflect(persona)
        try:
            reflections = [(answer, None)] if answer else []
            reply = self.client.stop_practice(self.sender, reflections=reflections)
        except RasaUnavailable as exc:
            print(f"[!] {exc} De samenvatting kon niet worden gemaakt.")
            return 1
        print("\n" + "=" * WIDTH)
        for text in reply.texts:
            print(wrap(text) + "\n")
        report = reply.payload.get("report")
        if isinstance(report, dict):
            chart = self.save_chart(report)
            if chart is not None:
                print(f"Grafiek van je gesprek: {chart}")
        print("=" * WIDTH)
        return 0
