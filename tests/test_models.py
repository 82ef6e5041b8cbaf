"""Every registered learned model: the interface, and its tiny CPU variant overfits one real window."""
import pytest
import torch

from vsr_lit.data import degrade_bi, excerpt_root, read_frames
from vsr_lit.models import MODELS, get_model, list_models

TINY = [n for n in list_models() if n.endswith("_tiny")]


def real_window(num_frames, scale=4, t=3):
    """A window of Vid4 calendar (the excerpt), LR made with degrade_bi at the model's scale, and its GT centre crop.
    A unit test of the training machinery, not training data."""
    n = num_frames // 2
    gt = read_frames(excerpt_root() / "Vid4/GT/calendar")[t - n:t + n + 1]
    y, x, p = (60, 60, 16) if scale <= 4 else (20, 30, 8)
    lq = torch.from_numpy(degrade_bi(gt, scale)).permute(0, 3, 1, 2).float()[:, :, y:y + p, x:x + p] / 255
    hq = torch.from_numpy(gt[n]).permute(2, 0, 1).float()[:, scale * y:scale * (y + p), scale * x:scale * (x + p)] / 255
    return lq[None], hq[None]


@pytest.mark.parametrize("name", list_models())
def test_interface(name):
    m = get_model(name)
    assert m.scale in (2, 4, 16) and m.num_frames % 2 == 1


@pytest.mark.parametrize("name", TINY)
def test_tiny_overfits_one_window(name):
    torch.manual_seed(0)
    model = get_model(name)
    lq, hq = real_window(model.num_frames, model.scale)
    opt = torch.optim.Adam(model.parameters(), 2e-3)
    losses = []
    for _ in range(200):
        loss = (model(lq) - hq).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] <= 0.5 * losses[0], f"{name}: L1 {losses[0]:.4f} -> {losses[-1]:.4f}"
