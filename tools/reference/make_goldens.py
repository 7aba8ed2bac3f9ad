#!/usr/bin/python3
"""Writes Kiln's golden reference files from PyTorch (Debian python3-torch, 1.13).

Run from anywhere:  /usr/bin/python3 tools/reference/make_goldens.py
Output: nn/src/test/resources/golden/{layers,losses,optim,schedules,models}/*.txt, read by kiln.nn.Golden.

File format (text, "kiln golden v1"):
    # kiln golden v1: <case>; <config>
    tensor <name> <f32|f64|i64> <dims joined by 'x' | scalar>
    <all values on one line, row-major, space separated>
    value <name> <number>
Floats are repr() of the exact float32 (or float64) value, so they parse back bit-exactly.
"""
import os
import sys
import warnings

try:
    import torch
except ImportError:  # e.g. a pyenv python3 first on PATH: retry with Debian's interpreter, which has python3-torch
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise SystemExit("make_goldens.py needs PyTorch: apt-get install python3-torch (Debian), then run it with /usr/bin/python3")
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")  # kl_div 'mean' and scheduler chaining warnings are expected here
torch.set_default_dtype(torch.float32)
torch.use_deterministic_algorithms(True)
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "..", "..", "nn", "src", "test", "resources", "golden"))
DTYPES = {torch.float32: "f32", torch.float64: "f64", torch.int64: "i64"}


# ----------------------------------------------------------------------------- writing

class Golden:
    """Collects the entries of one golden file; save() writes it."""

    def __init__(self, path, description):
        self.path, self.lines, self.names = path, [f"# kiln golden v1: {path[:-4]}; {description}"], set()

    def _name(self, name):
        assert " " not in name and name not in self.names, f"{self.path}: bad or repeated name {name!r}"
        self.names.add(name)

    def tensor(self, name, t):
        self._name(name)
        t = t.detach().cpu().contiguous()
        dims = "x".join(str(d) for d in t.shape) if t.dim() > 0 else "scalar"
        values = t.reshape(-1).tolist()  # exact: float32 -> Python float is lossless
        text = " ".join(str(int(v)) for v in values) if t.dtype == torch.int64 else " ".join(repr(float(v)) for v in values)
        self.lines += [f"tensor {name} {DTYPES[t.dtype]} {dims}", text]

    def value(self, name, v):
        self._name(name)
        self.lines.append(f"value {name} {repr(float(v))}")

    def save(self):
        full = os.path.join(ROOT, self.path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write("\n".join(self.lines) + "\n")


def seed(s):
    torch.manual_seed(s)


def randomize(module, scale=0.5):
    """Gives every parameter non-default values (e.g. LayerNorm's ones/zeros, MHA's zero biases)."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * scale + (1.0 if p.dim() == 1 and "weight" in _pname(module, p) else 0.0))


def _pname(module, p):
    return next(n for n, q in module.named_parameters() if q is p)


# ----------------------------------------------------------------------------- layers

def layer_case(path, description, module, x, train=True, forward=None):
    """input, param.<state_dict>, output, upstream, after.<buffer> (train mode), grad.input, grad.<param>.

    loss = (output * upstream).sum(), so grad.output == upstream."""
    g = Golden(path, description + (" train" if train else " eval"))
    g.tensor("input", x)
    for name, t in module.state_dict().items():
        g.tensor("param." + name, t)  # written now, before forward changes buffers in place
    module.train(train)
    x = x.clone().requires_grad_(x.is_floating_point())
    out = forward(module, x) if forward else module(x)
    up = torch.randn_like(out)
    g.tensor("output", out)
    g.tensor("upstream", up)
    if train:
        for name, b in module.named_buffers():
            g.tensor("after." + name, b)
    (out * up).sum().backward()
    if x.is_floating_point():
        g.tensor("grad.input", x.grad)
    for name, p in module.named_parameters():
        if p.requires_grad:
            g.tensor("grad." + name, p.grad)
    g.save()
    return g


def layers():
    # Linear: y = x W^T + b, W is (out, in)
    seed(1); layer_case("layers/linear.txt", "Linear(in=5,out=3,bias=True) input 4x5", nn.Linear(5, 3), torch.randn(4, 5))
    seed(2); layer_case("layers/linear_nobias.txt", "Linear(in=5,out=3,bias=False) input 4x5",
                        nn.Linear(5, 3, bias=False), torch.randn(4, 5))
    # Conv2d: plain, strided and padded with a non-square kernel, dilated and grouped
    seed(3); layer_case("layers/conv2d_basic.txt", "Conv2d(3,4,kernel_size=3) input 2x3x7x6",
                        nn.Conv2d(3, 4, 3), torch.randn(2, 3, 7, 6))
    seed(4); layer_case("layers/conv2d_stride_pad.txt", "Conv2d(2,3,kernel_size=(3,2),stride=2,padding=1) input 2x2x7x6",
                        nn.Conv2d(2, 3, (3, 2), stride=2, padding=1), torch.randn(2, 2, 7, 6))
    seed(5); layer_case("layers/conv2d_dilation_groups.txt",
                        "Conv2d(4,6,kernel_size=3,padding=2,dilation=2,groups=2) input 2x4x9x8",
                        nn.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2), torch.randn(2, 4, 9, 8))
    # Pooling: overlapping max windows with -inf padding; average with count_include_pad=True; uneven adaptive windows
    seed(6); layer_case("layers/maxpool2d.txt", "MaxPool2d(kernel_size=3,stride=2,padding=1) input 2x3x7x8",
                        nn.MaxPool2d(3, stride=2, padding=1), torch.randn(2, 3, 7, 8))
    seed(7); layer_case("layers/avgpool2d.txt", "AvgPool2d(kernel_size=2) (stride=2) input 2x3x6x7",
                        nn.AvgPool2d(2), torch.randn(2, 3, 6, 7))
    seed(8); layer_case("layers/avgpool2d_pad.txt",
                        "AvgPool2d(kernel_size=3,stride=2,padding=1) count_include_pad=True ceil_mode=False input 2x3x7x8",
                        nn.AvgPool2d(3, stride=2, padding=1), torch.randn(2, 3, 7, 8))
    seed(9); layer_case("layers/adaptiveavgpool2d.txt", "AdaptiveAvgPool2d((3,2)) input 2x3x7x5",
                        nn.AdaptiveAvgPool2d((3, 2)), torch.randn(2, 3, 7, 5))
    # BatchNorm: batch statistics and running-stat update in train mode; running stats in eval mode
    seed(10); m = nn.BatchNorm1d(4); randomize(m)
    layer_case("layers/batchnorm1d_train.txt", "BatchNorm1d(4,eps=1e-5,momentum=0.1) random affine, input 6x4", m,
               torch.randn(6, 4) * 2 + 1)
    seed(11); m = nn.BatchNorm1d(4); randomize(m)
    with torch.no_grad():
        m.running_mean.copy_(torch.randn(4)); m.running_var.copy_(torch.rand(4) + 0.5); m.num_batches_tracked.fill_(7)
    layer_case("layers/batchnorm1d_eval.txt", "BatchNorm1d(4,eps=1e-5) random affine and running stats, input 6x4", m,
               torch.randn(6, 4), train=False)
    seed(12); m = nn.BatchNorm2d(3); randomize(m)
    layer_case("layers/batchnorm2d_train.txt", "BatchNorm2d(3,eps=1e-5,momentum=0.1) random affine, input 2x3x4x5", m,
               torch.randn(2, 3, 4, 5) * 2 + 1)
    seed(13); m = nn.LayerNorm(6); randomize(m)
    layer_case("layers/layernorm.txt", "LayerNorm(6,eps=1e-5) random weight/bias, input 2x3x6", m, torch.randn(2, 3, 6))
    seed(14); layer_case("layers/dropout_eval.txt", "Dropout(p=0.5) is the identity, input 3x4",
                         nn.Dropout(0.5), torch.randn(3, 4), train=False)
    # Embedding: index 1 appears twice, so its weight gradient row is the sum of two upstream rows
    seed(15); layer_case("layers/embedding.txt", "Embedding(10,4) indices 2x3 i64 with index 1 repeated",
                         nn.Embedding(10, 4), torch.tensor([[1, 5, 1], [9, 0, 3]]))
    seed(16); layer_case("layers/flatten.txt", "Flatten(start_dim=1,end_dim=-1) input 2x3x2x2 -> 2x12",
                         nn.Flatten(), torch.randn(2, 3, 2, 2))
    # Activations on 3x7 with both signs, values near 0 and one exact 0.0 (index [0][3])
    acts = [("relu", nn.ReLU(), "ReLU"), ("leakyrelu", nn.LeakyReLU(0.1), "LeakyReLU(negative_slope=0.1)"),
            ("gelu", nn.GELU(), "GELU(approximate='none') exact erf form"), ("silu", nn.SiLU(), "SiLU"),
            ("tanh", nn.Tanh(), "Tanh"), ("sigmoid", nn.Sigmoid(), "Sigmoid"), ("softmax", nn.Softmax(dim=-1), "Softmax(dim=-1)")]
    for i, (name, module, desc) in enumerate(acts):
        seed(20 + i)
        x = torch.randn(3, 7) * 2
        x[0, 3], x[1, 2], x[1, 5], x[2, 0] = 0.0, 1e-3, -1e-3, -2e-2
        layer_case(f"layers/{name}.txt", desc + " input 3x7 (x[0][3] = 0.0 exactly)", module, x)
    # LSTM: output = full output sequence; h_n and c_n stored as extra.* for reference (no gradient through them)
    for layers_, s in ((1, 30), (2, 31)):
        seed(s); m = nn.LSTM(input_size=3, hidden_size=4, num_layers=layers_, batch_first=True)
        x = torch.randn(2, 5, 3)
        g = layer_case(f"layers/lstm_{layers_}layer.txt",
                       f"LSTM(input_size=3,hidden_size=4,num_layers={layers_},batch_first=True) zero initial state, "
                       "input 2x5x3, output = full sequence 2x5x4", m, x, forward=lambda m, x: m(x)[0])
        with torch.no_grad():
            _, (h, c) = m(x)
        g.tensor("extra.h_n", h); g.tensor("extra.c_n", c); g.save()
    # MultiheadAttention: self-attention, random (non-zero) in_proj and out_proj biases
    causal = torch.triu(torch.ones(5, 5, dtype=torch.bool), 1)  # True = masked (j > i)
    for name, mask, s in (("mha", None, 40), ("mha_causal", causal, 41)):
        seed(s); m = nn.MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True); randomize(m)
        layer_case(f"layers/{name}.txt", "MultiheadAttention(embed_dim=8,num_heads=2,batch_first=True,dropout=0) "
                   f"q=k=v=input 2x5x8, need_weights=False, attn_mask={'triu(ones(5,5,bool),1)' if mask is not None else 'None'}"
                   " random biases", m, torch.randn(2, 5, 8),
                   forward=lambda m, x, mask=mask: m(x, x, x, attn_mask=mask, need_weights=False)[0])
    seed(42); m = TransformerBlock(8, 2); randomize(m, 0.3)
    layer_case("layers/transformer_block.txt", "pre-norm TransformerBlock(E=8,heads=2): x = x + attn(ln1(x), causal); "
               "x = x + mlp(ln2(x)); mlp = Linear(8,32),GELU(),Linear(32,8); random params, input 2x5x8", m, torch.randn(2, 5, 8))
    seed(43); layer_case("layers/sequential_mlp.txt", "Sequential(Linear(4,6),ReLU(),Linear(6,2)) input 3x4",
                         nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2)), torch.randn(3, 4))


class TransformerBlock(nn.Module):
    def __init__(self, e, heads):
        super().__init__()
        self.ln1, self.attn, self.ln2 = nn.LayerNorm(e), nn.MultiheadAttention(e, heads, batch_first=True), nn.LayerNorm(e)
        self.mlp = nn.Sequential(nn.Linear(e, 4 * e), nn.GELU(), nn.Linear(4 * e, e))

    def forward(self, x):
        t = x.shape[1]
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=causal, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


# ----------------------------------------------------------------------------- losses

def loss_case(path, description, fn, x, target, reductions=("mean", "sum", "none"), **tensors):
    """input, target, extra tensors (weight, pos_weight), and per reduction output.<r>, grad.input.<r>."""
    g = Golden(path, description)
    g.tensor("input", x); g.tensor("target", target)
    for name, t in tensors.items():
        g.tensor(name, t)
    for r in reductions:
        xi = x.clone().requires_grad_(True)
        out = fn(xi, target, r)
        g.tensor("output." + r, out)
        if out.dim() > 0:  # reduction 'none': backward of (out * upstream).sum()
            up = torch.randn_like(out)
            g.tensor("upstream." + r, up)
            (out * up).sum().backward()
        else:
            out.backward()
        g.tensor("grad.input." + r, xi.grad)
    g.save()


def losses():
    # Regression 5x3: inputs spread so that SmoothL1/Huber hit both the quadratic and linear branches
    def reg(s):
        seed(s); return torch.randn(5, 3) * 1.5, torch.randn(5, 3)
    loss_case("losses/mse.txt", "MSELoss input 5x3", lambda x, y, r: F.mse_loss(x, y, reduction=r), *reg(50))
    loss_case("losses/l1.txt", "L1Loss input 5x3", lambda x, y, r: F.l1_loss(x, y, reduction=r), *reg(51))
    loss_case("losses/smoothl1.txt", "SmoothL1Loss(beta=0.5) input 5x3",
              lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5), *reg(52))
    loss_case("losses/huber.txt", "HuberLoss(delta=1.5) input 5x3",
              lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=1.5), *reg(53))
    # Binary: BCE on probabilities with soft targets in [0,1); with logits, with and without pos_weight (per column)
    seed(54); p, t = torch.sigmoid(torch.randn(5, 3) * 2), torch.rand(5, 3)
    loss_case("losses/bce.txt", "BCELoss input = sigmoid(randn) 5x3, soft target in [0,1)",
              lambda x, y, r: F.binary_cross_entropy(x, y, reduction=r), p, t)
    seed(55); z, t = torch.randn(5, 3) * 2, torch.rand(5, 3)
    loss_case("losses/bce_with_logits.txt", "BCEWithLogitsLoss input logits 5x3, soft target in [0,1)",
              lambda x, y, r: F.binary_cross_entropy_with_logits(x, y, reduction=r), z, t)
    seed(56); z, t, pw = torch.randn(5, 3) * 2, torch.rand(5, 3), torch.rand(3) * 2 + 0.5
    loss_case("losses/bce_with_logits_pos_weight.txt", "BCEWithLogitsLoss(pos_weight=3 values) input logits 5x3, soft target",
              lambda x, y, r: F.binary_cross_entropy_with_logits(x, y, reduction=r, pos_weight=pw), z, t, pos_weight=pw)
    # Classification: logits 6x4, targets i64 in [0,4)
    def cls(s):
        seed(s); return torch.randn(6, 4) * 2, torch.randint(0, 4, (6,))
    x, y = cls(57)
    loss_case("losses/nll.txt", "NLLLoss input = log_softmax(randn 6x4), target 6 i64",
              lambda x, y, r: F.nll_loss(x, y, reduction=r), torch.log_softmax(x, 1), y)
    loss_case("losses/cross_entropy.txt", "CrossEntropyLoss logits 6x4, target 6 i64",
              lambda x, y, r: F.cross_entropy(x, y, reduction=r), *cls(58))
    x, y = cls(59); w = torch.rand(4) + 0.5
    loss_case("losses/cross_entropy_weighted.txt", "CrossEntropyLoss(weight=4 values) logits 6x4",
              lambda x, y, r: F.cross_entropy(x, y, weight=w, reduction=r), x, y, weight=w)
    loss_case("losses/cross_entropy_smoothing.txt", "CrossEntropyLoss(label_smoothing=0.1) logits 6x4",
              lambda x, y, r: F.cross_entropy(x, y, label_smoothing=0.1, reduction=r), *cls(60))
    seed(61); x, y = torch.randn(6, 4) * 2, torch.tensor([1, 0, 3, 1, 2, 0])
    loss_case("losses/cross_entropy_ignore.txt", "CrossEntropyLoss(ignore_index=1) logits 6x4, target has 1 twice",
              lambda x, y, r: F.cross_entropy(x, y, ignore_index=1, reduction=r), x, y)
    seed(62); x, y, w = torch.randn(6, 4) * 2, torch.tensor([2, 1, 0, 3, 1, 3]), torch.rand(4) + 0.5
    loss_case("losses/cross_entropy_all.txt",
              "CrossEntropyLoss(weight=4 values,label_smoothing=0.2,ignore_index=1) logits 6x4, target has 1 twice",
              lambda x, y, r: F.cross_entropy(x, y, weight=w, label_smoothing=0.2, ignore_index=1, reduction=r), x, y, weight=w)
    # KL divergence, log_target=False: pointwise target * (log(target) - input)
    seed(63); x, t = torch.log_softmax(torch.randn(6, 4), 1), torch.softmax(torch.randn(6, 4), 1)
    loss_case("losses/kl_div.txt", "KLDivLoss(log_target=False) input = log_softmax(randn 6x4), target = softmax(randn 6x4)",
              lambda x, y, r: F.kl_div(x, y, reduction=r), x, t, reductions=("mean", "sum", "batchmean", "none"))


# ----------------------------------------------------------------------------- optimizers

def optim():
    seed(70)
    X, Y, W0, b0 = torch.randn(8, 4), torch.randn(8, 3), torch.randn(3, 4) * 0.5, torch.randn(3) * 0.5
    g = Golden("optim/problem.txt", "loss = MSELoss(mean)(X @ W.T + b, Y); X 8x4, Y 8x3, initial W 3x4, b 3")
    g.tensor("X", X); g.tensor("Y", Y); g.tensor("W", W0); g.tensor("b", b0); g.save()

    def run(path, description, make_opt, make_sched=None, clip=None, steps=20):
        """loss.<k> before step k; W.<k>, b.<k> after step k; lr.<k> (lr used at step k) when scheduled."""
        W, b = nn.Parameter(W0.clone()), nn.Parameter(b0.clone())
        opt = make_opt(W, b)
        sched = make_sched(opt) if make_sched else None
        g = Golden(path, description + f"; {steps} steps of zero_grad, loss, backward" + (", clip" if clip else "")
                   + ", step" + (", scheduler.step()" if sched else ""))
        for k in range(steps):
            opt.zero_grad()
            loss = F.mse_loss(X @ W.T + b, Y)
            g.value(f"loss.{k}", loss.item())
            loss.backward()
            if clip == "norm":
                g.value(f"norm.{k}", nn.utils.clip_grad_norm_([W, b], max_norm=0.5).item())
            elif clip == "value":
                nn.utils.clip_grad_value_([W, b], 0.05)
            if sched:
                g.value(f"lr.{k}", opt.param_groups[0]["lr"])
            opt.step()
            if sched:
                sched.step()
            g.tensor(f"W.{k}", W); g.tensor(f"b.{k}", b)
        g.save()

    O = torch.optim
    run("optim/sgd.txt", "SGD(lr=0.1)", lambda W, b: O.SGD([W, b], lr=0.1))
    run("optim/sgd_momentum.txt", "SGD(lr=0.05,momentum=0.9,dampening=0.1)",
        lambda W, b: O.SGD([W, b], lr=0.05, momentum=0.9, dampening=0.1))
    run("optim/sgd_nesterov_wd.txt", "SGD(lr=0.05,momentum=0.9,nesterov=True,weight_decay=0.01)",
        lambda W, b: O.SGD([W, b], lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01))
    run("optim/adam.txt", "Adam(lr=0.01,betas=(0.9,0.999),eps=1e-8)", lambda W, b: O.Adam([W, b], lr=0.01))
    run("optim/adam_wd.txt", "Adam(lr=0.01,weight_decay=0.1) L2 added to the gradient",
        lambda W, b: O.Adam([W, b], lr=0.01, weight_decay=0.1))
    run("optim/adam_amsgrad.txt", "Adam(lr=0.01,amsgrad=True)", lambda W, b: O.Adam([W, b], lr=0.01, amsgrad=True))
    run("optim/adamw.txt", "AdamW(lr=0.01,betas=(0.9,0.999),eps=1e-8,weight_decay=0.1)",
        lambda W, b: O.AdamW([W, b], lr=0.01, weight_decay=0.1))
    run("optim/rmsprop.txt", "RMSprop(lr=0.01,alpha=0.99,eps=1e-8)", lambda W, b: O.RMSprop([W, b], lr=0.01))
    run("optim/rmsprop_centered_momentum_wd.txt", "RMSprop(lr=0.01,alpha=0.99,eps=1e-8,centered=True,momentum=0.5,weight_decay=0.01)",
        lambda W, b: O.RMSprop([W, b], lr=0.01, centered=True, momentum=0.5, weight_decay=0.01))
    run("optim/adagrad.txt", "Adagrad(lr=0.1,eps=1e-10)", lambda W, b: O.Adagrad([W, b], lr=0.1))
    run("optim/adagrad_decay_wd.txt", "Adagrad(lr=0.1,lr_decay=0.01,weight_decay=0.01,initial_accumulator_value=0.1,eps=1e-10)",
        lambda W, b: O.Adagrad([W, b], lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1))
    run("optim/param_groups.txt", "SGD(momentum=0.9) groups [W: lr=0.1,weight_decay=0.01], [b: lr=0.01,weight_decay=0]",
        lambda W, b: O.SGD([{"params": [W], "lr": 0.1, "weight_decay": 0.01},
                            {"params": [b], "lr": 0.01, "weight_decay": 0.0}], lr=0.1, momentum=0.9))
    run("optim/sgd_step_schedule.txt", "SGD(lr=0.1) + StepLR(step_size=5,gamma=0.5)",
        lambda W, b: O.SGD([W, b], lr=0.1), lambda o: O.lr_scheduler.StepLR(o, step_size=5, gamma=0.5))
    run("optim/adam_cosine.txt", "Adam(lr=0.05) + CosineAnnealingLR(T_max=20,eta_min=0.001)",
        lambda W, b: O.Adam([W, b], lr=0.05), lambda o: O.lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.001))
    run("optim/clip_norm.txt", "SGD(lr=0.1) with clip_grad_norm_([W,b],max_norm=0.5) (L2 over all grads) before each step; "
        "norm.<k> = returned total norm before clipping", lambda W, b: O.SGD([W, b], lr=0.1), clip="norm")
    run("optim/clip_value.txt", "SGD(lr=0.1) with clip_grad_value_([W,b],0.05) before each step",
        lambda W, b: O.SGD([W, b], lr=0.1), clip="value")


# ----------------------------------------------------------------------------- schedules

PLATEAU_METRICS = [1.0, 0.9, 0.8, 0.8, 0.81, 0.8, 0.79, 0.7, 0.7, 0.7, 0.7, 0.69999, 0.6, 0.55, 0.55, 0.56, 0.55,
                   0.54995, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.41, 0.42, 0.43, 0.44]


def schedules():
    """lr.<k>: the lr in use at step k (k = 0..29); the scheduler steps after each record."""
    def run(path, description, make, extra=None, steps=30):
        p = nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
        sched = make(opt)
        g = Golden(path, "SGD(lr=0.1,momentum=0.9) + " + description)
        for k in range(steps):
            g.value(f"lr.{k}", opt.param_groups[0]["lr"])
            if extra == "momentum":
                g.value(f"momentum.{k}", opt.param_groups[0]["momentum"])
            if extra == "plateau":
                g.value(f"metric.{k}", PLATEAU_METRICS[k])
            opt.step()  # no gradient: a no-op, only keeps the scheduler's order check quiet
            if k < steps - 1:
                sched.step(PLATEAU_METRICS[k]) if extra == "plateau" else sched.step()
        g.save()

    S = torch.optim.lr_scheduler
    run("schedules/step.txt", "StepLR(step_size=7,gamma=0.5)", lambda o: S.StepLR(o, 7, 0.5))
    run("schedules/multistep.txt", "MultiStepLR(milestones=[5,12,20],gamma=0.3)", lambda o: S.MultiStepLR(o, [5, 12, 20], 0.3))
    run("schedules/exponential.txt", "ExponentialLR(gamma=0.9)", lambda o: S.ExponentialLR(o, 0.9))
    run("schedules/cosine.txt", "CosineAnnealingLR(T_max=30,eta_min=0.01)", lambda o: S.CosineAnnealingLR(o, T_max=30, eta_min=0.01))
    run("schedules/warmup_cosine.txt", "SequentialLR([LinearLR(start_factor=0.1,end_factor=1.0,total_iters=5), "
        "CosineAnnealingLR(T_max=25,eta_min=0.0)], milestones=[5])",
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
                                     S.CosineAnnealingLR(o, T_max=25, eta_min=0.0)], milestones=[5]))
    run("schedules/onecycle.txt", "OneCycleLR(max_lr=0.5,total_steps=30) defaults: pct_start=0.3, anneal_strategy='cos', "
        "cycle_momentum=True, base_momentum=0.85, max_momentum=0.95, div_factor=25, final_div_factor=1e4, three_phase=False",
        lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=30), extra="momentum")
    run("schedules/plateau.txt", "ReduceLROnPlateau(mode='min',factor=0.5,patience=2,threshold=1e-4,threshold_mode='rel',"
        "cooldown=0,min_lr=0,eps=1e-8) stepped with metric.<k> after step k",
        lambda o: S.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, threshold=1e-4), extra="plateau")


# ----------------------------------------------------------------------------- models (llm.c-style)

def model_case(path, description, s, make_model, X, y, make_opt, steps=10):
    """param.*, X, y, logits.0, grad0.<name>, loss.<k> before step k (k=0..steps-1), loss.<steps>, final.<name>."""
    seed(s)
    model = make_model()
    g = Golden(path, description)
    for name, t in model.state_dict().items():
        g.tensor("param." + name, t)
    g.tensor("X", X); g.tensor("y", y)
    opt = make_opt(model.parameters())
    for k in range(steps):
        opt.zero_grad()
        logits = model(X)
        loss = F.cross_entropy(logits, y)
        g.value(f"loss.{k}", loss.item())
        loss.backward()
        if k == 0:
            g.tensor("logits.0", logits)
            for name, p in model.named_parameters():
                g.tensor("grad0." + name, p.grad)
        opt.step()
    with torch.no_grad():
        g.value(f"loss.{steps}", F.cross_entropy(model(X), y).item())
    for name, p in model.named_parameters():
        g.tensor("final." + name, p)
    g.save()


def models():
    seed(80); X, y = torch.randn(32, 4), torch.randint(0, 3, (32,))
    model_case("models/mlp.txt", "Sequential(Linear(4,16),Tanh(),Linear(16,16),ReLU(),Linear(16,3)); CrossEntropyLoss(mean); "
               "SGD(lr=0.1,momentum=0.9); X 32x4, y 32; 10 steps", 81,
               lambda: nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3)),
               X, y, lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9))
    seed(82); X, y = torch.randn(16, 1, 8, 8), torch.randint(0, 5, (16,))
    model_case("models/cnn.txt", "Sequential(Conv2d(1,4,3,padding=1),ReLU(),MaxPool2d(2),Conv2d(4,8,3),ReLU(),Flatten(),"
               "Linear(32,5)); CrossEntropyLoss(mean); Adam(lr=0.01); X 16x1x8x8, y 16; 10 steps", 83,
               lambda: nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3), nn.ReLU(),
                                     nn.Flatten(), nn.Linear(8 * 2 * 2, 5)),
               X, y, lambda ps: torch.optim.Adam(ps, lr=0.01))


if __name__ == "__main__":
    layers(); losses(); optim(); schedules(); models()
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(ROOT) for f in fs)
    print(f"torch {torch.__version__}: wrote {sum(len(fs) for _, _, fs in os.walk(ROOT))} files, {total} bytes under {ROOT}")
