"""The standard list of signal kinds every municipality starts with (name, explanation).

Beheerders add their own and switch kinds off, never delete them (earlier observations keep
their meaning). Written by migration 0002 and again by ``services.standard_signal_kinds_ensure``
(a test database that was flushed, the demo).
"""

STANDARD_KINDS: tuple[tuple[str, str], ...] = (
    ("Eenzaamheid", "Bewoners met weinig contact, die zich alleen voelen."),
    ("Geldzorgen en schulden", "Moeite met rondkomen, betalingsachterstanden, schulden."),
    ("Digitale uitsluiting", "Niet mee kunnen met digitale diensten van overheid en bank."),
    ("Woonproblemen", "Slechte woningen, overbewoning, dreigende uitzetting."),
    ("Spanningen in de buurt", "Conflicten tussen buren of groepen, overlast, onveiligheid."),
    ("Zorgmijding", "Hulp of zorg nodig hebben en die niet zoeken."),
    ("Overbelaste mantelzorgers", "Mantelzorgers die het niet meer volhouden."),
    ("Taalbarrière", "Niet mee kunnen doen omdat de taal in de weg zit."),
    ("Nieuwe groep vrijwilligers", "Bewoners die samen iets voor de buurt oppakken."),
    ("Jongeren zonder plek", "Jongeren zonder school, werk of plek om samen te komen."),
)
