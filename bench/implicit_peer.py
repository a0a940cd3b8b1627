"""Peer speed reference for iALS and BPR: benfred/implicit's CPU models on the very training
matrix RecScope trains on. bench_scale writes that matrix (CSR: int64 row offsets, int32 column
indices) and runs this script in the same process run, so both sides see the same data and the
same machine load. implicit is not a RecScope dependency: build it from source beside the
project and put it on PYTHONPATH (or pass --implicit DIR to bench_scale).
usage: /usr/bin/python3 implicit_peer.py CSR_FILE USERS ITEMS [threads] [als_iterations] [bpr_epochs]
Prints one line per configuration: ALS with conjugate gradient (implicit's default and fastest
CPU solver), ALS with the exact Cholesky solve, BPR; seconds per iteration / epoch and, for
BPR, samples/s (one sample = one (user, positive, negative) triplet, nnz per epoch)."""
import os, sys, time
# implicit's own advice for its CPU models (it warns otherwise); set before numpy loads OpenBLAS,
# and not inherited from the caller (bench_scale sets its own thread count in the environment).
os.environ['OPENBLAS_NUM_THREADS'] = '1'
os.environ['OMP_NUM_THREADS'] = '1'  # Debian's OpenMP OpenBLAS reads this one; implicit's own loops
# take num_threads explicitly
import numpy as np, scipy.sparse as sp

path, users, items = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
als_iterations = int(sys.argv[5]) if len(sys.argv) > 5 else 3
bpr_epochs = int(sys.argv[6]) if len(sys.argv) > 6 else 2
try:
    from implicit.cpu.als import AlternatingLeastSquares
    from implicit.cpu.bpr import BayesianPersonalizedRanking
except ImportError as e:
    print(f'implicit: not importable ({e}); build it beside the project and set PYTHONPATH')
    sys.exit(3)
raw = np.fromfile(path, dtype=np.uint8)  # writable: implicit's BPR asks for writable buffers
offsets = raw[:8 * (users + 1)].view(np.int64).copy()
indices = raw[8 * (users + 1):].view(np.int32).copy()
data = np.ones(len(indices), dtype=np.float32)
m = sp.csr_matrix((data, indices, offsets), shape=(users, items))
print(f'implicit peer: {users} users, {items} items, {m.nnz} positives, {threads} threads', flush=True)

for name, cg in (('als cg', True), ('als cholesky', False)):
    model = AlternatingLeastSquares(factors=64, regularization=30.0, alpha=5.0, use_cg=cg,
                                    iterations=als_iterations, num_threads=threads,
                                    calculate_training_loss=False, random_state=0)
    t0 = time.perf_counter(); model.fit(m, show_progress=False); dt = time.perf_counter() - t0
    print(f'implicit {name} f=64: {dt / als_iterations:.2f} s/iteration ({als_iterations} iterations in {dt:.1f} s)', flush=True)

model = BayesianPersonalizedRanking(factors=64, learning_rate=0.05, regularization=0.005,
                                    iterations=bpr_epochs, num_threads=threads, random_state=0,
                                    verify_negative_samples=True)
t0 = time.perf_counter(); model.fit(m, show_progress=False); dt = time.perf_counter() - t0
print(f'implicit bpr f=64: {dt / bpr_epochs:.2f} s/epoch, {m.nnz * bpr_epochs / dt:,.0f} samples/s ({bpr_epochs} epochs in {dt:.1f} s)', flush=True)
