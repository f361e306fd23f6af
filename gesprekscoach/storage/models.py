"""The tables: casemanagers (pseudonymous), sessions, turns, comments, corrections, trainers.

Casemanagers are stored by a display name and a salted hash of their channel
id; a raw Telegram id or phone number never reaches the database.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import registry, relationship
from sqlalchemy.orm.decl_api import DeclarativeMeta

from gesprekscoach.turn import HIDDEN_NEED, Standing, TurnEvent, language_from_dict

mapper_registry = registry()


class Base(metaclass=DeclarativeMeta):
    """Declarative base spelled out, so type checkers see a real class (SQLAlchemy 1.4)."""

    __abstract__ = True
    registry = mapper_registry
    metadata = mapper_registry.metadata
    __init__ = mapper_registry.constructor


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Casemanager(Base):
    __tablename__ = "casemanagers"
    __table_args__ = (UniqueConstraint("channel", "channel_hash", name="uq_casemanager_channel"),)

    id = Column(Integer, primary_key=True)
    display_name = Column(String(80), nullable=False)
    channel = Column(String(20), nullable=False)
    channel_hash = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    sessions = relationship(
        "PracticeSession",
        back_populates="casemanager",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class PracticeSession(Base):
    __tablename__ = "sessions"

    id = Column(String(64), primary_key=True)
    """The conversation id (Rasa's sender id)."""
    casemanager_id = Column(
        Integer, ForeignKey("casemanagers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    persona_id = Column(String(40), nullable=False, index=True)
    persona_type = Column(String(40), nullable=False)
    channel = Column(String(20), nullable=False)
    mode = Column(String(20), nullable=False, default="oefenen")
    workshop_code = Column(String(20), nullable=True, index=True)
    seed = Column(Integer, nullable=False, default=0)
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    ended_at = Column(DateTime(timezone=True), nullable=True)
    hidden_need_found = Column(Boolean, nullable=False, default=False)
    hidden_need_turn = Column(Integer, nullable=True)
    final_trust = Column(Float, nullable=True)
    report = Column(JSON, nullable=True)
    reflection = Column(JSON, nullable=True)
    """What the casemanager(s) thought the inwoner needed, scored (feedback.reflection)."""
    reflection_score = Column(Float, nullable=True)
    """The best score of the reflections (0-1); None when skipped or not ended."""
    reverts = Column(Integer, nullable=False, default=0)
    """How often the casemanager went back (/terug, opnieuw vanaf bericht N)."""
    tips_asked = Column(Integer, nullable=False, default=0)
    variant = Column(String(41), nullable=True)
    """The persona's variant this session (another mood or one fact); None: as described."""

    casemanager = relationship("Casemanager", back_populates="sessions")
    turns = relationship(
        "TurnRecord",
        back_populates="session",
        order_by="TurnRecord.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    comments = relationship(
        "Comment", back_populates="session", cascade="all, delete-orphan", passive_deletes=True
    )
    reverted = relationship(
        "RevertedTurn",
        order_by="RevertedTurn.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class TurnRecord(Base):
    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("session_id", "number", name="uq_turn_number"),)

    id = Column(Integer, primary_key=True)
    session_id = Column(
        String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)
    move = Column(String(40), nullable=False)
    moves = Column(JSON, nullable=True)
    """Every act's move, main act first (the main act is `move`)."""
    topics = Column(JSON, nullable=True)
    """The topics of the inwoner's life the reply spoke to."""
    confidence = Column(Float, nullable=False, default=0.0)
    reply = Column(Text, nullable=False)
    trust = Column(Float, nullable=False)
    stress = Column(Float, nullable=False)
    language = Column(JSON, nullable=True)
    coaching = Column(JSON, nullable=True)
    thought = Column(Text, nullable=True)
    """What the inwoner thought of the message (shown after the session)."""
    hidden_need_revealed = Column(Boolean, nullable=False, default=False)
    author_id = Column(
        Integer, ForeignKey("casemanagers.id", ondelete="CASCADE"), nullable=True, index=True
    )
    """Who wrote it, when that is not the session's casemanager (a round in a group chat)."""
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    session = relationship("PracticeSession", back_populates="turns")
    author = relationship("Casemanager", foreign_keys=[author_id])
    corrections = relationship(
        "LabelCorrection", back_populates="turn", cascade="all, delete-orphan", passive_deletes=True
    )

    @classmethod
    def from_event(cls, session_id: str, event: TurnEvent, author_id: int | None) -> TurnRecord:
        """The row of a turn, every column by name: a new logged field needs its line here.

        Not logged: what the session row has (the persona), what the turns before give
        (the standing before) and what only the live chat needs (see tests/test_turn.py).
        """
        return cls(
            session_id=session_id,
            number=event.number,
            text=event.text,
            move=event.move,
            moves=list(event.all_moves),
            topics=list(event.topics),
            confidence=event.confidence,
            reply=event.reply,
            trust=event.after.trust,
            stress=event.after.stress,
            language=event.language.to_dict() if event.language else None,
            coaching=list(event.coaching),
            thought=event.thought or None,
            hidden_need_revealed=event.hidden_need_revealed,
            author_id=author_id,
        )

    def to_event(self, persona: str, before: Standing) -> TurnEvent:
        """The turn as far as it was logged; `before` is the standing after the turn before."""
        return TurnEvent(
            number=int(self.number),
            persona=persona,
            text=str(self.text),
            reply=str(self.reply),
            move=str(self.move),
            before=before,
            after=Standing(float(self.trust), float(self.stress)),
            moves=tuple(str(m) for m in self.moves or ()),
            topics=tuple(str(t) for t in self.topics or ()),
            confidence=float(self.confidence),
            reaction=HIDDEN_NEED if self.hidden_need_revealed else None,
            language=language_from_dict(self.language) if isinstance(self.language, dict) else None,
            coaching=tuple(str(c) for c in self.coaching or ()),
            thought=str(self.thought or ""),
        )


class RevertedTurn(Base):
    """A turn the casemanager took back: gone from the conversation, kept as a trace.

    Moved here from `turns` (so nothing counts it twice, and the message number is
    free for the new try), with how it was taken back.
    """

    __tablename__ = "reverted_turns"

    id = Column(Integer, primary_key=True)
    session_id = Column(
        String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)
    move = Column(String(40), nullable=False)
    reply = Column(Text, nullable=False)
    trust = Column(Float, nullable=False)
    thought = Column(Text, nullable=True)
    how = Column(String(20), nullable=False)
    """"terug" (the last message) or "opnieuw" (from a chosen message on)."""
    author_id = Column(
        Integer, ForeignKey("casemanagers.id", ondelete="CASCADE"), nullable=True, index=True
    )
    """Who wrote it in a group round (so erasing them erases this trace too)."""
    reverted_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Trainer(Base):
    __tablename__ = "trainers"

    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class LoginSession(Base):
    """A trainer's login on the dashboard, so logging out ends it on the server too.

    The cookie carries only a random login id; `id` is its SHA-256, so a copy of
    the database lets nobody log in.
    """

    __tablename__ = "login_sessions"

    id = Column(String(64), primary_key=True)
    trainer_id = Column(
        Integer, ForeignKey("trainers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    ended_at = Column(DateTime(timezone=True), nullable=True)
    """Set on logout, expiry or a changed password; an ended login never comes back."""

    trainer = relationship("Trainer")


class Comment(Base):
    __tablename__ = "comments"

    id = Column(Integer, primary_key=True)
    session_id = Column(
        String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    turn_id = Column(Integer, ForeignKey("turns.id", ondelete="CASCADE"), nullable=True)
    trainer_id = Column(Integer, ForeignKey("trainers.id", ondelete="SET NULL"), nullable=True)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    session = relationship("PracticeSession", back_populates="comments")


class LabelCorrection(Base):
    __tablename__ = "label_corrections"

    id = Column(Integer, primary_key=True)
    turn_id = Column(
        Integer, ForeignKey("turns.id", ondelete="CASCADE"), nullable=False, index=True
    )
    trainer_id = Column(Integer, ForeignKey("trainers.id", ondelete="SET NULL"), nullable=True)
    old_move = Column(String(40), nullable=False)
    new_move = Column(String(40), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    turn = relationship("TurnRecord", back_populates="corrections")


class BotConsent(Base):
    """Consent given in a chat channel, by the same salted hash as the casemanager row."""

    __tablename__ = "bot_consents"

    channel = Column(String(20), primary_key=True)
    channel_hash = Column(String(64), primary_key=True)
    given_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class BotChat(Base):
    """A chat's running practice, so a restart of the bot process loses nothing.

    Keyed by a salted hash of the chat id; `owner_hash` is the pseudonym of whoever
    started it, so erasing that casemanager erases this row too.
    """

    __tablename__ = "bot_chats"

    chat_key = Column(String(64), primary_key=True)
    owner_hash = Column(String(64), nullable=True, index=True)
    persona_id = Column(String(40), nullable=True)
    sender = Column(String(64), nullable=True)
    hints = Column(Boolean, nullable=False, default=True)
    pending = Column(JSON(none_as_null=True), nullable=True)
    """Messages kept while the Rasa server was down, oldest first."""
    workshop_code = Column(String(12), nullable=True)
    round = Column(JSON(none_as_null=True), nullable=True)
    """A group's round: its members (pseudonyms and first names), order and tally."""
    closing = Column(JSON(none_as_null=True), nullable=True)
    """While the bot waits for the answer(s) to "what did they need?" after /stop: who has
    answered what (pseudonyms only), so a restart of the bot loses no answer."""
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Workshop(Base):
    """A werkatelier: a group exercise a trainer prepares, opens and closes."""

    __tablename__ = "workshops"

    id = Column(Integer, primary_key=True)
    code = Column(String(12), nullable=False, unique=True)
    name = Column(String(120), nullable=False)
    day = Column(Date, nullable=False)
    persona_ids = Column(JSON, nullable=False)
    form = Column(String(20), nullable=False, default="parallel")
    """"parallel" (everyone in their own chat) or "rondje" (one conversation in a group)."""
    hints = Column(Boolean, nullable=False, default=True)
    minutes = Column(Integer, nullable=False, default=20)
    status = Column(String(20), nullable=False, default="voorbereid")
    """"voorbereid", "open" or "gesloten"; only an open workshop takes new sessions."""
    show_names = Column(Boolean, nullable=False, default=False)
    """Whether the beamer view shows participants' names (the facilitator's choice)."""
    beamer_tip = Column(String(20), nullable=True)
    """The tip whose example sentences the beamer shows, or none."""
    allow_undo = Column(Boolean, nullable=False, default=False)
    """Whether participants may go back (/terug, opnieuw vanaf bericht N): the facilitator's
    choice, off unless allowed."""
    vary_personas = Column(Boolean, nullable=False, default=False)
    """Each participant meets a variant of the inwoner (by seed) instead of the same one."""
    trainer_id = Column(Integer, ForeignKey("trainers.id", ondelete="SET NULL"), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    opened_at = Column(DateTime(timezone=True), nullable=True)
    closed_at = Column(DateTime(timezone=True), nullable=True)

    members = relationship(
        "WorkshopMember",
        back_populates="workshop",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class WorkshopMember(Base):
    __tablename__ = "workshop_members"
    __table_args__ = (UniqueConstraint("workshop_id", "casemanager_id", name="uq_workshop_member"),)

    id = Column(Integer, primary_key=True)
    workshop_id = Column(
        Integer, ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True
    )
    casemanager_id = Column(
        Integer, ForeignKey("casemanagers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    joined_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    workshop = relationship("Workshop", back_populates="members")
    casemanager = relationship("Casemanager")
