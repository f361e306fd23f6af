"""Everything the bot says of its own, in clear Dutch (B1)."""

WELCOME = (
    "Hoi! Met deze bot oefen je gesprekken met inwoners. Een computer speelt de inwoner; "
    "jij bent de casemanager. Na het gesprek krijg je tips over hoe het ging.\n\n"
    "Wat we bewaren: je voornaam, je berichten in de oefengesprekken en de feedback. "
    "Je Telegram-nummer bewaren we niet. Trainers kunnen je gesprekken bekijken. "
    "Met /verwijder haal je alles weer weg.\n\nDoe je mee?"
)
CONSENT_YES = "Ja, ik doe mee"
CONSENT_NO = "Nee, liever niet"
NO_CONSENT = "Prima. Er is niets bewaard. Typ /start als je toch wilt oefenen."
NEED_CONSENT = "Typ eerst /start. Dan leg ik uit hoe het werkt en wat we bewaren."
CHOOSE = "Met wie wil je oefenen?"
RANDOM = "Verras me"
NO_PRACTICE = "Er loopt nu geen oefengesprek. Kies een inwoner met /start of /opnieuw."
NOT_TEXT = "Ik kan alleen tekst lezen. Typ je bericht aan de inwoner."
EDITED = "Een bericht aanpassen kan hier niet. Stuur gewoon een nieuw bericht."
TOO_LONG = "Je bericht is heel lang. De inwoner leest alleen het begin."
RASA_DOWN = (
    "De oefenserver is even niet bereikbaar. Je bericht is bewaard. Zodra de server terug is, "
    "stuur ik het door en antwoordt de inwoner. Je hoeft niets opnieuw te typen."
)
RASA_STILL_DOWN = (
    "De oefenserver is nog steeds niet bereikbaar. Je bericht blijft bewaard en gaat mee "
    "met je volgende bericht. Probeer het over een tijdje nog eens."
)
RASA_DOWN_START = (
    "De oefenserver is even niet bereikbaar. Probeer het over een paar minuten nog eens."
)
RASA_DOWN_STOP = (
    "De oefenserver is even niet bereikbaar. Je gesprek is bewaard. "
    "Probeer het over een paar minuten opnieuw."
)
SLOW_DOWN = (
    "Je stuurt veel berichten snel achter elkaar. De inwoner kan dat niet bijhouden. "
    "Wacht even en stuur je laatste berichten dan opnieuw, één voor één."
)
ERROR = "Er ging iets mis aan mijn kant. Probeer het nog eens, of typ /help."
HELP = (
    "Zo werkt het:\n"
    "/start – uitleg en een inwoner kiezen\n"
    "/stop – het gesprek afronden en je feedback lezen\n"
    "/opnieuw – opnieuw beginnen met dezelfde inwoner\n"
    "/hints aan of /hints uit – tips tijdens het gesprek\n"
    "/voortgang – hoe je het doet over je gesprekken\n"
    "/mijngegevens – wat er van je bewaard is\n"
    "/verwijder – al je gegevens verwijderen\n"
    "/help – deze uitleg"
)
HINTS_USAGE = "Typ /hints aan of /hints uit."
NOTHING_STORED = "Er is niets van je bewaard."
ERASE_ASK = (
    "Weet je het zeker? Dan verwijder ik al je oefengesprekken, berichten en feedback. "
    "Dat kan niet ongedaan worden gemaakt."
)
ERASE_YES = "Ja, verwijder alles"
ERASE_NO = "Nee, laat staan"
ERASE_KEPT = "Er is niets verwijderd."
NO_PROGRESS = "Je hebt nog geen afgerond oefengesprek. Rond er een af met /stop."
COACH = "💡 Coach: "

COMMANDS = [
    ("start", "Uitleg en een inwoner kiezen"),
    ("stop", "Gesprek afronden en feedback lezen"),
    ("opnieuw", "Opnieuw met dezelfde inwoner"),
    ("hints", "Tips tijdens het gesprek aan of uit"),
    ("voortgang", "Je voortgang over je gesprekken"),
    ("mijngegevens", "Wat er van je bewaard is"),
    ("verwijder", "Al je gegevens verwijderen"),
    ("help", "Hoe werkt het?"),
]
