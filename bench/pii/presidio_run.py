"""Runs presidio-analyzer on the benchmark corpus without downloading any model.

The NLP engine is a blank spaCy English pipeline saved to disk and named by path, so only Presidio's pattern,
checksum and context recognizers take part (the five shared types need no NER). Offsets are converted from
Python code points to UTF-16 code units so they compare with the gold labels.
"""
import json
import sys
import time
from pathlib import Path

import spacy
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider

ENTITIES = ["CREDIT_CARD", "US_SSN", "PHONE_NUMBER", "EMAIL_ADDRESS", "IP_ADDRESS"]


def utf16_offsets(text):
    if all(ord(c) <= 0xFFFF for c in text):
        return None
    table, u = [], 0
    for c in text:
        table.append(u)
        u += 2 if ord(c) > 0xFFFF else 1
    table.append(u)
    return table


def main():
    corpus, out_path, model_dir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    if not (model_dir / "config.cfg").exists():
        spacy.blank("en").to_disk(model_dir)
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": str(model_dir)}],
    })
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    docs = [json.loads(line) for line in Path(corpus).read_text(encoding="utf-8").splitlines() if line.strip()]
    analyzer.analyze(text="warm up 212-555-0100 a@b.com", language="en", entities=ENTITIES)
    chars = sum(len(d["text"]) for d in docs)
    t0 = time.process_time()
    results = [analyzer.analyze(text=d["text"], language="en", entities=ENTITIES) for d in docs]
    elapsed = time.process_time() - t0
    with open(out_path, "w", encoding="utf-8") as f:
        for d, res in zip(docs, results):
            table = utf16_offsets(d["text"])
            conv = (lambda i: table[i]) if table else (lambda i: i)
            preds = [{"type": r.entity_type, "start": conv(r.start), "end": conv(r.end), "score": r.score} for r in res]
            f.write(json.dumps({"id": d["id"], "preds": preds}) + "\n")
    report = {"docs": len(docs), "chars": chars, "seconds": elapsed}  # CPU seconds, like run.ts
    if len(sys.argv) > 4:  # throughput only, on the "mixed text" sample
        mixed = [json.loads(line)["text"] for line in Path(sys.argv[4]).read_text(encoding="utf-8").splitlines() if line.strip()]
        t0 = time.process_time()
        for text in mixed:
            analyzer.analyze(text=text, language="en", entities=ENTITIES)
        report.update(mixed_chars=sum(len(t) for t in mixed), mixed_seconds=time.process_time() - t0)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
