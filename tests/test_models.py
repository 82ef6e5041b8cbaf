"""Every registered learned model: the interface, and its tiny CPU variant overfits one real window."""
import pytest
import torch

from vsr_lit.data import excerpt_root, read_frames
from vsr_lit.models import MODELS, get_model, list_models

TINY = [n for n in list_models() if n.endswith("_tiny")]


def real_window(num_frames, t=3, y=60, x=60, p=16, scale=4):
    "A Vid4-excerpt window (calendar): LR crop (1, T, 3, p, p) and its GT centre crop. A unit test, not training data."
    n = num_frames // 2
    gt = torch.from_numpy(read_frames(excerpt_root() / "Vid4/GT/calendar")).permute(0, 3, 1, 2).float() / 255
    lq = torch.from_numpy(read_frames(excerpt_root() / "Vid4/BIx4/calendar")).permute(0, 3, 1, 2).float() / 255
    return (lq[t - n:t + n + 1, :, y:y + p, x:x + p][None],
            gt[t, :, scale * y:scale * (y + p), scale * x:scale * (x + p)][None])


@pytest.mark.parametrize("name", list_models())
def test_interface(name):
    m = get_model(name)
    assert m.scale in (2, 4, 16) and m.num_frames % 2 == 1


@pytest.mark.parametrize("name", TINY)
def test_tiny_overfits_one_window(name):
    torch.manual_seed(0)
    model = get_model(name)
    lq, hq = real_window(model.num_frames)
    opt = torch.optim.Adam(model.parameters(), 2e-3)
    losses = []
    for _ in range(200):
        loss = (model(lq) - hq).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] <= 0.5 * losses[0], f"{name}: L1 {losses[0]:.4f} -> {losses[-1]:.4f}"
