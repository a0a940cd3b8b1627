#pragma once
// Adam for embedding tables, a row at a time: a step updates only the rows whose gradient is
// not zero (their two moments and their weights), with the bias correction of the optimizer's
// step count, as PyTorch's SparseAdam and TensorFlow's LazyAdam do. A row the batch touched
// gets exactly torch::optim::Adam's update (with weight decay as its L2 term on that row).
//
// Why: dense Adam also moves every row the batch did not touch (by its momentum), which costs
// about ten passes over every table per step, and a dense embedding gradient is a table-sized
// fill of zeros. At MovieLens-20M size the two-tower's tables hold 12.3M floats (138K users
// and twice 27K items, 64 each) against a batch that touches a few thousand rows: an epoch
// took 382 s with dense Adam and 255 s with sparse gradients and this (bench_scale, 2 cores).
//
// A table's gradient may be sparse (sparseTable()) or dense: data-parallel training sums the
// gradients dense, so that every rank sees the same rows as touched. Internal to core/nn.

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace recscope {

class RowSparseAdam {
public:
    struct Options {
        double lr = 1e-3;
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-8;
        double weightDecay = 0.0;
    };

    // tables: 2-D parameters (rows x width) on any device.
    RowSparseAdam(std::vector<torch::Tensor> tables, Options options);

    // Drops the tables' gradients: the next backward allocates them anew instead of adding.
    void zeroGrad();
    // One step from the gradients the tables hold; drops them afterwards.
    void step();

private:
    std::vector<torch::Tensor> m_tables;
    std::vector<torch::Tensor> m_avg;    // first moments, like the tables
    std::vector<torch::Tensor> m_avgSq;  // second moments
    Options m_options;
    int64_t m_steps = 0;
};

// torch::optim::Adam for the dense parameters and RowSparseAdam for the embedding tables among
// them, with one learning rate and weight decay.
class TableAwareAdam {
public:
    TableAwareAdam(const std::vector<torch::Tensor>& params,
                   const std::vector<torch::Tensor>& tables, double lr, double weightDecay);
    void zeroGrad();
    void step();

private:
    std::unique_ptr<torch::optim::Adam> m_dense;
    RowSparseAdam m_tables;
};

// An ID table for RowSparseAdam: an Embedding with sparse gradients (the rows a batch used,
// not a table-sized fill of zeros), its weights drawn from N(0, 0.1). On ML-100K the ranker
// trained at 330K samples/s with dense gradients and 390K with sparse ones.
torch::nn::Embedding sparseTable(int64_t rows, int64_t dim);

// `all` without the tensors in `tables` (same objects), in order: what a dense optimizer
// keeps when the tables go to a RowSparseAdam.
std::vector<torch::Tensor> withoutTables(const std::vector<torch::Tensor>& all,
                                         const std::vector<torch::Tensor>& tables);

}  // namespace recscope
