"""Benchmark: our Rasa stack against an out-of-the-box `rasa init` assistant.

Run with `.venv/bin/python -m bench` (or `make bench`). It measures what a
team lead wants to know before a werkatelier: how long training and start-up
take, how fast the inwoner answers when 20 casemanagers practise at once, how
many turns per second the servers can take, and how much memory they need -
side by side with a stock Rasa bot so the figures have a yardstick.
"""
