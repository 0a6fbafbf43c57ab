"""Short free-text notes for demo adverse events, as clinicians type them.

Data-access layer (demo data). Some notes hold quotes, commas and line breaks on purpose: free
text is data, and the importer, exporter and panels must carry it verbatim.
"""

from __future__ import annotations

import numpy as np

from data_access.contract import EventType

NOTES: dict[EventType, tuple[str, ...]] = {
    EventType.INJECTION_SITE_PAIN: (
        "Soreness at injection site beyond 48 h, managed with ice and acetaminophen.",
        'Patient called: "the spot in my shoulder is worse than before", advised heat, NSAID.',
        "Pain at needle site, 7/10 on day 1.\nImproving by follow-up call.",
        "Localized tenderness, no swelling, no redness.",
    ),
    EventType.INFECTION: (
        "Erythema and warmth at injection site, 3 cm; started cephalexin.",
        "Redness, swelling at L trapezius site.\nSeen in clinic day 2, culture taken.",
        'Patient reports "hot, hard lump" at site; oral antibiotics, recheck in 48 h.',
    ),
    EventType.BLEEDING: (
        "Bruising at injection site, ~2 cm, resolved without treatment.",
        "Hematoma after needling, pressure applied 10 min.",
        'Oozing at puncture site, patient on aspirin; "more bruising than last time".',
    ),
    EventType.ALLERGIC_REACTION: (
        "Hives on neck and chest 20 min after injection; diphenhydramine given.",
        "Itching, flushing at site. Observed 30 min, resolved.\nAllergy flagged in chart.",
        'Rash around site, patient says "it itches like poison ivy"; antihistamine advised.',
    ),
    EventType.VASOVAGAL: (
        "Lightheaded, diaphoretic, pale after injection; supine, legs raised, recovered.",
        "Brief syncope while seated, no injury. Vitals normal after 15 min.",
        'Felt faint during needling ("everything went grey"), procedure stopped, juice given.',
        "Near-syncope on standing,\nrecovered after rest and fluids.",
    ),
    EventType.PNEUMOTHORAX: (
        "Shortness of breath, pleuritic chest pain after upper back work; CXR: small apical "
        "pneumothorax.",
        "Dyspnea evening of procedure, ED visit.\nCXR confirmed pneumothorax, observed overnight.",
    ),
    EventType.OTHER: (
        "Transient numbness in arm after neck injection, resolved within 2 h.",
        "Headache after procedure, resolved next day.",
        'Anxiety, palpitations; "felt my heart racing", resolved with rest.',
        "Facial flushing after corticosteroid, resolved, no treatment.",
    ),
}
#: Share of events recorded without a note.
NO_NOTE = 0.1


def describe(rng: np.random.Generator, event: np.ndarray) -> np.ndarray:
    """A note (or ``None``) for each event type code in ``event``, as an object array."""
    types = tuple(EventType)
    counts = np.array([len(NOTES[t]) for t in types])
    offsets = np.cumsum(counts) - counts
    flat = np.array([note for t in types for note in NOTES[t]], dtype=object)
    pick = offsets[event] + (rng.random(event.size) * counts[event]).astype(np.int64)
    notes = flat[pick]
    notes[rng.random(event.size) < NO_NOTE] = None
    return notes
