"""Peer speed reference for sasrec: SASRec as a competent PyTorch user writes it (after the
widely used SASRec.pytorch layout: nn.MultiheadAttention with a causal mask, pre-LayerNorm
blocks, point-wise feed-forward, padding zeroed by a timeline mask), on the same LibTorch that
Debian ships, with RecScope's default shape: item + learned position embeddings of 64, 2 blocks,
1 head, dropout 0.2, max_len 50, full softmax cross-entropy over the catalogue at every position,
Adam 1e-3, 128 windows per step. The data is ML-100K's ratings in time order per user (ties by
item id), cut into windows of at most 50 targets from the newest end, as RecScope cuts them; a
batch is padded to its longest window. A sample is one predicted position (a target), as
RecScope's EpochReport counts it.
usage: /usr/bin/python3 sasrec_peer.py ML100K_DIR [threads] [model=sasrec] [seconds]
(the arguments of torch_peer.py, so bench_peer runs either the same way)."""
import math, sys, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

d = sys.argv[1]; threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
budget = float(sys.argv[4]) if len(sys.argv) > 4 else 8.0
torch.set_num_threads(threads); torch.manual_seed(0); rng = np.random.default_rng(0)
DIM, BLOCKS, MAXLEN, DROPOUT, BATCH, LR = 64, 2, 50, 0.2, 128, 1e-3

r = np.loadtxt(f'{d}/u.data', dtype=np.int64)
u, i, t = r[:, 0] - 1, r[:, 1] - 1, r[:, 3]
U, I = int(u.max()) + 1, int(i.max()) + 1
order = np.lexsort((i, t, u))  # user, then time, then item id
u, i = u[order], i[order]
starts = np.searchsorted(u, np.arange(U + 1))
windows = []  # (user, end, length): targets seq[end - length + 1 .. end]
for a in range(U):
    n = starts[a + 1] - starts[a]; end = n - 1
    while end >= 1:
        length = min(MAXLEN, end); windows.append((a, end, length)); end -= length
PAD = I


class Block(nn.Module):
    def __init__(s):
        super().__init__()
        s.ln1, s.ln2 = nn.LayerNorm(DIM), nn.LayerNorm(DIM)
        s.attn = nn.MultiheadAttention(DIM, 1, dropout=DROPOUT, batch_first=True)
        s.ffn1, s.ffn2 = nn.Linear(DIM, DIM), nn.Linear(DIM, DIM)
        s.drop = nn.Dropout(DROPOUT)

    def forward(s, x, causal, keep):
        q = s.ln1(x)
        a, _ = s.attn(q, q, q, attn_mask=causal, need_weights=False)
        x = (x + s.drop(a)) * keep
        x = x + s.drop(s.ffn2(s.drop(F.relu(s.ffn1(s.ln2(x))))))
        return x * keep


class SASRec(nn.Module):
    def __init__(s):
        super().__init__()
        s.item = nn.Embedding(I + 1, DIM, padding_idx=PAD)
        s.pos = nn.Embedding(MAXLEN, DIM)
        nn.init.normal_(s.item.weight, 0, 0.02); nn.init.normal_(s.pos.weight, 0, 0.02)
        with torch.no_grad(): s.item.weight[PAD].zero_()
        s.blocks = nn.ModuleList([Block() for _ in range(BLOCKS)])
        s.ln = nn.LayerNorm(DIM); s.drop = nn.Dropout(DROPOUT)

    def forward(s, seq):
        L = seq.shape[1]
        keep = (seq != PAD).unsqueeze(-1).float()
        x = s.item(seq) * math.sqrt(DIM) + s.pos(torch.arange(MAXLEN - L, MAXLEN))[None]
        x = s.drop(x) * keep
        causal = torch.triu(torch.ones(L, L, dtype=torch.bool), 1)
        for b in s.blocks:
            x = b(x, causal, keep)
        return s.ln(x)


m = SASRec(); opt = torch.optim.Adam(m.parameters(), LR)
perm = rng.permutation(len(windows)); cursor = [0]


def step():
    if cursor[0] + BATCH > len(perm):
        perm[:] = rng.permutation(len(windows)); cursor[0] = 0
    batch = [windows[k] for k in perm[cursor[0]:cursor[0] + BATCH]]; cursor[0] += BATCH
    L = max(w[2] for w in batch)
    x = np.full((len(batch), L), PAD, np.int64); y = np.full((len(batch), L), PAD, np.int64)
    for row, (a, end, length) in enumerate(batch):
        seq = i[starts[a]:starts[a + 1]]
        x[row, L - length:] = seq[end - length:end]; y[row, L - length:] = seq[end - length + 1:end + 1]
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    real = y != PAD
    h = m(x)[real]
    loss = F.cross_entropy(h @ m.item.weight[:I].T, y[real])
    opt.zero_grad(); loss.backward(); opt.step()
    return int(real.sum())


step(); t0 = time.perf_counter(); n = 0
while time.perf_counter() - t0 < budget:
    n += step()
dt = time.perf_counter() - t0
print(f'sasrec d={DIM} blocks={BLOCKS} max_len={MAXLEN} batch={BATCH} full softmax: '
      f'{n / dt:,.0f} samples/s ({n} in {dt:.1f} s, {threads} threads)', flush=True)
