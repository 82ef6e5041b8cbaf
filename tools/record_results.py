"""Record a shipped model's Vid4 evaluation and its training in vsr_lit/weights/results.json.

Usage: python tools/record_results.py NAME EVAL_JSON RUN_DIR --command CMD --data TEXT [--init-from TEXT]
(EVAL_JSON from `vsr_lit eval --json`, RUN_DIR/log.json from `vsr_lit train`.)
"""
import argparse, json
from pathlib import Path

p = argparse.ArgumentParser()
p.add_argument("name"); p.add_argument("eval_json"); p.add_argument("run_dir")
p.add_argument("--command", required=True); p.add_argument("--data", required=True); p.add_argument("--init-from", default=None)
p.add_argument("--extra", default=None, help="a JSON object merged into the training entry")
a = p.parse_args()
path = Path(__file__).resolve().parent.parent / "vsr_lit" / "weights" / "results.json"
res = json.loads(path.read_text())
ev, log = json.loads(Path(a.eval_json).read_text()), json.loads((Path(a.run_dir) / "log.json").read_text())
if ev["model"] != a.name: raise SystemExit(f"{a.eval_json} evaluates {ev['model']}, not {a.name}")
res["vid4_bi_x4"][a.name] = dict(psnr=round(ev["psnr"], 4), ssim=round(ev["ssim"], 5),
                                 clips={c: dict(psnr=round(v["psnr"], 4), ssim=round(v["ssim"], 5)) for c, v in ev["clips"].items()})
entry = dict(step=log["steps"], command=a.command, data=a.data, seconds=round(log["seconds"]))
if a.init_from: entry["init_from"] = a.init_from
if a.extra: entry.update(json.loads(a.extra))
res["training"][a.name] = entry
res["vid4_bi_x4"] = dict(sorted(res["vid4_bi_x4"].items())); res["training"] = dict(sorted(res["training"].items()))
path.write_text(json.dumps(res, indent=1) + "\n")
print(f"{a.name}: Vid4 {ev['psnr']:.4f} / {ev['ssim']:.5f} recorded in {path}")
