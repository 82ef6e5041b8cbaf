"""Pre-train the tiny recurrent models' SpyNet on LR frame pairs of the training data (never Vid4): the unsupervised
photometric + smoothness loss, with `fit_flow`'s per-pair estimate as a teacher (notebook 14a_pretrain_flow).
usage: python tools/pretrain_spynet.py DATA OUT [--steps N] [--pool N] [--patch GT_PIXELS]
writes OUT/spynet.pt (keys `spynet.*`, for `vsr_lit train --init-from`) and OUT/log.json."""
import argparse, json, sys, time
from pathlib import Path
import torch
from vsr_lit.datasets import training_set
from vsr_lit.flow_pretrain import flow_pairs, pretrain_spynet
from vsr_lit.models import get_model

def main():
    p = argparse.ArgumentParser(); p.add_argument('data'); p.add_argument('out')
    p.add_argument('--steps', type=int, default=5000); p.add_argument('--pool', type=int, default=1024)
    p.add_argument('--batch', type=int, default=16); p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--model', default='basicvsr_tiny', help='whose SpyNet configuration to train')
    p.add_argument('--patch', type=int, default=128, help='GT patch size (LR pairs are a quarter of it)')
    a = p.parse_args(); out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    ds, held, about = training_set(a.data, 3, 4, a.patch, gt_downscale=2, every_gt=True)
    print('; '.join(about), flush=True)
    t0 = time.time()
    ref, supp = flow_pairs(ds, a.pool, seed=0)
    valid = flow_pairs(torch.utils.data.ConcatDataset(held) if held else ds, 64, seed=1)
    spynet = get_model(a.model).spynet
    log = pretrain_spynet(spynet, ref, supp, valid, steps=a.steps, batch=a.batch, lr=a.lr, seed=2)
    torch.save({'spynet.' + k: v for k, v in spynet.state_dict().items()}, out / 'spynet.pt')
    log.update(about=about, pool=a.pool, seconds=time.time() - t0, command=' '.join(sys.argv))
    (out / 'log.json').write_text(json.dumps(log, indent=1))
    print(f"held-out warping error: zero flow {log['zero_flow']:.4f}, SpyNet {log['valid'][0]:.4f} -> {log['valid'][-1]:.4f}, "
          f"fit_flow {log['fit_flow']:.4f}; {out / 'spynet.pt'}")

if __name__ == '__main__': main()
