"""Regenerates the sample dataset files from frigo_cases.py (run from anywhere: python3 data/make_frigo_data.py).

Output is deterministic (no randomness, fixed order), so the files only change when the cases change.
"""
import csv
import json
import pathlib
import sys

sys.dont_write_bytecode = True  # keep data/ free of __pycache__
from frigo_cases import CASES, NOTES, FR  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
# Short on purpose: it is repeated in every example and a tiny model's context is small.
SYSTEM = "Tu es un technicien frigoriste. You are a refrigeration technician."
# The rejected answers of the preference pairs: what a user does not want to hear.
UNHELPFUL = ["Achetez un nouveau frigo.", "Je ne sais pas.", "Buy a new fridge.", "Call someone.", "Ce n'est rien, ignorez-le."]


def join_checks(checks, lang):
    last = " et " if lang == FR else " and "
    return ", ".join(checks[:-1]) + last + checks[-1]


def completion(lang, cause, checks):
    if lang == FR:
        return f"Cause probable : {cause}. Vérifiez {join_checks(checks, lang)}."
    return f"Likely cause: {cause}. Check {join_checks(checks, lang)}."


def note(lang, symptom, cause, action):
    if lang == FR:
        return f"Fiche d'intervention. Symptôme : {symptom}. Cause trouvée : {cause}. Action : {action}."
    return f"Repair note. Symptom: {symptom}. Cause found: {cause}. Action: {action}."


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def main():
    prompts = [symptom for _, symptom, _, _ in CASES]
    assert len(prompts) == len(set(prompts)), "duplicate symptom in CASES"
    pairs = [(symptom, completion(lang, cause, checks)) for lang, symptom, cause, checks in CASES]

    with open(HERE / "frigo_training.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")  # quotes only cells that need it (commas, quotes)
        writer.writerow(["prompt", "completion"])
        writer.writerows(pairs)

    write_jsonl(HERE / "frigo_training.jsonl", (
        {"messages": [{"role": "system", "content": SYSTEM},
                      {"role": "user", "content": prompt},
                      {"role": "assistant", "content": answer}]}
        for prompt, answer in pairs))

    write_jsonl(HERE / "frigo_text.jsonl", ({"text": note(*n)} for n in NOTES))

    # DPO pairs (OpenAI's preference format): the diagnosis preferred over an unhelpful reply, for the first 64 cases.
    write_jsonl(HERE / "frigo_preferences.jsonl", (
        {"input": {"messages": [{"role": "user", "content": prompt}]},
         "preferred_output": [{"role": "assistant", "content": answer}],
         "non_preferred_output": [{"role": "assistant", "content": UNHELPFUL[i % len(UNHELPFUL)]}]}
        for i, (prompt, answer) in enumerate(pairs[:64])))
    print(f"{len(pairs)} cases, {len(NOTES)} notes, 64 preference pairs")


if __name__ == "__main__":
    main()
