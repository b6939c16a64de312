"""Where the models run: cuda, then mps, then cpu."""
from __future__ import annotations

import torch


def pick_device(name: str | None = None) -> torch.device:
    """Resolve "auto"/None to the best device present; check an explicit one exists."""
    name = (name or "auto").lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError("device cuda asked for, but this torch build sees no CUDA GPU "
                           f"(torch {torch.__version__}); use --device cpu or install a CUDA build")
    if name == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise RuntimeError("device mps asked for, but Metal is not available here")
    if name not in ("cpu", "mps") and not name.startswith("cuda"):
        raise ValueError(f"unknown device {name!r}; expected auto, cpu, cuda or mps")
    return torch.device(name)
