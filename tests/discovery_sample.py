"""A small knowledge base for the discovery doors (entry JSON, API, site): public entries with a related pair, a
near-duplicate, an unlinked mention and linked context sentences, and hidden entries carrying canaries."""
from __future__ import annotations

from pathlib import Path

from tests.conftest import write

CANARY = "ZQXCANARY"  # in every hidden entry's title, body and file name: must reach no public door
BODY = ("Squat depth matters: hips below the knee, chest up, weight over the mid foot, brace hard before each "
        "descent, drive the floor away, keep the bar over the mid foot, breathe at the top, reset between reps.")
FILES = {
    "Squat.md": f"---\ntitle: Squat\naliases: [Back Squat]\ntags: [legs]\n---\n# Squat\n\n{BODY}\n",
    "Squat Rack.md": "---\ntitle: Squat Rack\n---\nThe rack holds the bar.\nSet the safeties for a [[Squat]] "
                     "session first. Then load it.\n",
    "Training Log.md": "---\ntitle: Training Log\n---\nMonday: heavy day.\nToday I did Squat work again and it was "
                       "fine.\n\nSee [[Squat|the squat page]] for cues.\n",
    "Squats.md": f"---\ntitle: Squats\n---\n{BODY.replace('breathe', 'exhale')}\n",  # a public near-duplicate
    # untagged notes on one subject: a topic of their own
    "Sourdough.md": "Sourdough needs a lively levain, a long ferment and patience with the crumb.\n",
    "Levain.md": "Feed the levain twice a day; a ripe levain makes sourdough rise and opens the crumb.\n",
    "Baking Day.md": "Baking day: shape the sourdough, proof overnight, score it, and check the crumb and the levain "
                     "smell.\n",
    f"{CANARY} Private.md": f"---\ntitle: {CANARY} Private Squat\nprivate: true\n---\n{BODY}\n"
                            f"{CANARY} secret: [[Squat]] with {CANARY} words. And Squat again.\n",
    f"{CANARY} Draft.md": f"---\ntitle: {CANARY} Squat\ndraft: true\n---\n{BODY}\n{CANARY} plan: [[Squat]] "
                          f"{CANARY}.\n",
}
HIDDEN = {f"{CANARY.lower()}-private", f"{CANARY.lower()}-draft"}


def make(root: Path) -> Path:
    """Write the sample under `root/content` and return the content folder."""
    return write(root / "content", FILES)
