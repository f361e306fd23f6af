"""What the action server sends to clients beside the persona's words.

Every reply carries a JSON payload under this key (turn details, the report at
the end); clients and feedback read it from the REST output or the tracker.
"""

PAYLOAD_KEY = "coach"

# The parse data key under which the NLU component lists a message's acts
# (text, move, confidence), the main act first.
ACTS = "acts"
