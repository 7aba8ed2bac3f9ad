#!/usr/bin/python3
"""Writes the checkpoint goldens: PyTorch state dicts as safetensors files (written with numpy + json by
read_safetensors.write, no safetensors package) and the logits PyTorch computes with them.

Run from anywhere:  /usr/bin/python3 tools/reference/make_checkpoint_goldens.py
Output: nn/src/test/resources/golden/checkpoints/<case>.safetensors and <case>.txt ("kiln golden v1", see
make_goldens.py: tensors X and logits). Kiln's test builds the same model (kiln.nn.models.ModelZoo, or an
Architecture JSON), loads the .safetensors file with Checkpoint.loadWeights and compares its logits: the proof
that `kiln train --init FILE` accepts a file PyTorch wrote for the same architecture.

Each model is an nn.Sequential with PyTorch's default initialisation after torch.manual_seed, so the names are
PyTorch's own ("1.weight", "3.running_mean", ...).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_goldens import ROOT, Golden, randomize, seed, torch, nn  # noqa: E402  (re-executes with /usr/bin/python3 if torch is missing)
import read_safetensors  # noqa: E402

FOLDER = "checkpoints"


def case(name, description, s, make_model, X, train_batches=()):
    """Seeds, builds the model, optionally randomises its parameters and runs train-mode forwards (to give
    BatchNorm a gain and running statistics other than its defaults), then writes the state dict and the
    eval-mode logits of X."""
    seed(s)
    model = make_model()
    if train_batches:
        randomize(model)
    with torch.no_grad():
        for batch in train_batches:
            model.train()(batch)
        logits = model.eval()(X)
    tensors = {k: v.detach().cpu().contiguous().numpy() for k, v in model.state_dict().items()}
    read_safetensors.write(os.path.join(ROOT, FOLDER, name + ".safetensors"), tensors,
                           {"written_by": f"torch {torch.__version__} make_checkpoint_goldens.py", "case": name})
    g = Golden(f"{FOLDER}/{name}.txt", description)
    g.tensor("X", X)
    g.tensor("logits", logits)
    g.save()


def main():
    os.makedirs(os.path.join(ROOT, FOLDER), exist_ok=True)
    seed(90); images = torch.randn(2, 1, 28, 28)
    case("linear", "ModelZoo 'linear', input [1,28,28], 10 classes: Sequential(Flatten(), Linear(784,10))", 91,
         lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), images)
    case("mlp_64_32", "ModelZoo 'mlp:64,32', input [1,28,28], 10 classes: "
         "Sequential(Flatten(), Linear(784,64), ReLU(), Linear(64,32), ReLU(), Linear(32,10))", 92,
         lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)),
         images)
    case("lenet", "ModelZoo 'lenet', input [1,28,28], 10 classes: Sequential(Conv2d(1,6,5,padding=2), ReLU(), MaxPool2d(2), "
         "Conv2d(6,16,5), ReLU(), MaxPool2d(2), Flatten(), Linear(400,120), ReLU(), Linear(120,84), ReLU(), Linear(84,10))", 93,
         lambda: nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                               nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)),
         images)
    seed(94); rows = torch.randn(5, 4)
    case("mlp_tabular", "ModelZoo 'mlp:16,8', input [4], 3 classes: "
         "Sequential(Flatten(), Linear(4,16), ReLU(), Linear(16,8), ReLU(), Linear(8,3))", 95,
         lambda: nn.Sequential(nn.Flatten(), nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3)),
         rows)
    seed(96); small, batches = torch.randn(2, 1, 6, 6), [torch.randn(8, 1, 6, 6) * 2 + 1 for _ in range(3)]
    case("batchnorm", "Sequential(Conv2d(1,4,3,padding=1), BatchNorm2d(4), ReLU(), Flatten(), Linear(144,3)) after 3 "
         "train-mode forwards (running stats, num_batches_tracked=3), parameters randomised; logits in eval mode", 97,
         lambda: nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(144, 3)),
         small, batches)
    folder = os.path.join(ROOT, FOLDER)
    total = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    print(f"torch {torch.__version__}: wrote {len(os.listdir(folder))} files, {total} bytes under {folder}")


if __name__ == "__main__":
    main()
