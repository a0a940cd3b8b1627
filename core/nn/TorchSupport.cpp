#include "core/nn/TorchSupport.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "core/models/Compute.h"
#include "core/models/TorchArchiveCheck.h"
#include "core/models/TrainData.h"

namespace recscope {

Result<torch::Device> parseTorchDevice(const std::string& text) {
    if (text.empty() || text == "cpu")
        return torch::Device(torch::kCPU);
    if (text.rfind("cuda", 0) != 0)
        return makeError("unknown device '" + text + "' (expected cpu, cuda or cuda:N)");
    if (!torch::cuda::is_available())
        return makeError("device '" + text +
                         "' requested but no CUDA device is available to LibTorch here");
    try {
        torch::Device device(text);
        if (device.has_index() && device.index() >= int(torch::cuda::device_count()))
            return makeError("device '" + text + "' does not exist (" +
                             std::to_string(torch::cuda::device_count()) + " CUDA devices)");
        return device;
    } catch (const std::exception&) {
        return makeError("unknown device '" + text + "' (expected cpu, cuda or cuda:N)");
    }
}

void prepareTorch(uint64_t seed) {
    setComputeThreads(computeThreads());
    torch::manual_seed(seed);
}

TrainConfig epochTrainConfig(const ParamValues& params) {
    TrainConfig config;
    config.epochs = static_cast<int>(params.getInt("epochs"));
    config.patience = static_cast<int>(params.getInt("patience"));
    config.learningRate = params.getFloat("lr");
    return config;
}

std::vector<int32_t> validationSample(const TrainData& data, const ParamValues& params,
                                      uint64_t seed) {
    return EpochTrainer::validationUsers(data, params.getInt("validation_users"), seed);
}

std::vector<ParamSpec> epochParamSpecs(int epochs, int batchSize, double lr, double weightDecay,
                                       int patience) {
    std::vector<ParamSpec> specs;
    specs.push_back({"epochs",
                     ParamType::Int,
                     std::to_string(epochs),
                     1,
                     1000,
                     {},
                     "Maximum passes over the training positives"});
    specs.push_back({"batch_size",
                     ParamType::Int,
                     std::to_string(batchSize),
                     1,
                     1 << 20,
                     {},
                     "Training examples per optimizer step"});
    std::ostringstream lrText, wdText;
    lrText << lr;
    wdText << weightDecay;
    specs.push_back(
        {"lr", ParamType::Float, lrText.str(), 0.0, 10.0, {}, "Learning rate of the optimizer"});
    specs.push_back({"weight_decay",
                     ParamType::Float,
                     wdText.str(),
                     0.0,
                     10.0,
                     {},
                     "L2 penalty on the parameters an example touches"});
    specs.push_back({"validation_users",
                     ParamType::Int,
                     "10000",
                     0,
                     100000000,
                     {},
                     "Validation users scored after each epoch: a seeded sample of this many when "
                     "there are more (0 = all); all of them are scored once at the end"});
    specs.push_back({"patience",
                     ParamType::Int,
                     std::to_string(patience),
                     0,
                     1000,
                     {},
                     "Stop after this many epochs without a better validation score (0 = never)"});
    return specs;
}

torch::Tensor indexTensor(const int32_t* ids, int64_t n, const torch::Device& device) {
    auto host = torch::from_blob(const_cast<int32_t*>(ids), {n}, torch::kInt32).to(torch::kInt64);
    return device.is_cpu() ? host : host.to(device);
}

void copyToHost(const torch::Tensor& t, float* out) {
    auto host = t.to(torch::kCPU, torch::kFloat32).contiguous();
    std::memcpy(out, host.data_ptr<float>(), sizeof(float) * size_t(host.numel()));
}

EmbeddingTable embeddingTable(const torch::Tensor& t) {
    if (!t.defined() || t.dim() != 2)
        return {};
    EmbeddingTable table;
    table.rows = int32_t(t.size(0));
    table.dim = int32_t(t.size(1));
    table.values.resize(size_t(t.numel()));
    copyToHost(t.detach(), table.values.data());
    return table;
}

void fillColdUsers(const int32_t* users, int64_t n, const std::vector<uint8_t>& cold,
                   const std::vector<float>& popularityScore, float* out) {
    const size_t items = popularityScore.size();
    for (int64_t r = 0; r < n; ++r) {
        const int32_t u = users[r];
        if (u < 0 || size_t(u) >= cold.size() || cold[size_t(u)])
            std::copy(popularityScore.begin(), popularityScore.end(), out + size_t(r) * items);
    }
}

std::vector<uint8_t> coldUserMask(const TrainData& data) {
    std::vector<uint8_t> cold(size_t(std::max(data.numUsers, 0)), 1);
    for (int32_t u = 0; u < data.positives.rows && u < data.numUsers; ++u)
        cold[size_t(u)] = data.positives.rowSize(u) == 0;
    return cold;
}

std::vector<float> popularityScores(const TrainData& data) {
    std::vector<float> pop(size_t(std::max(data.numItems, 0)), 0.0f);
    for (size_t i = 0; i < pop.size() && i < data.itemPopularity.size(); ++i)
        pop[i] = float(data.itemPopularity[i]);
    return pop;
}

void writeParams(torch::serialize::OutputArchive& archive, const ParamValues& params) {
    for (const auto& [key, value] : params.values())
        archive.write("param." + key, c10::IValue(value));
}

std::map<std::string, std::string> readParams(torch::serialize::InputArchive& archive) {
    std::map<std::string, std::string> params;
    for (const auto& key : archive.keys()) {
        if (key.rfind("param.", 0) != 0)
            continue;
        c10::IValue value;
        if (archive.try_read(key, value) && value.isString())
            params[key.substr(6)] = value.toStringRef();
    }
    return params;
}

void saveModuleOnCpu(const torch::nn::Module& module, torch::serialize::OutputArchive& archive) {
    // Mirrors Module::save (LibTorch 1.13 and 2.x): own parameters, own buffers, then each
    // serialisable child in a nested archive under its name.
    for (const auto& p : module.named_parameters(/*recurse=*/false))
        archive.write(p.key(), p.value().detach().to(torch::kCPU));
    for (const auto& b : module.named_buffers(/*recurse=*/false))
        archive.write(b.key(), b.value().detach().to(torch::kCPU), /*is_buffer=*/true);
    for (const auto& child : module.named_children()) {
        if (!child.value()->is_serializable())
            continue;
        torch::serialize::OutputArchive nested(archive.compilation_unit());
        saveModuleOnCpu(*child.value(), nested);
        archive.write(child.key(), nested);
    }
}

bool storageCovers(const torch::Tensor& t) {
    if (!t.defined() || !t.has_storage())
        return false;
    if (t.numel() == 0)
        return true;
    int64_t last = t.storage_offset();
    if (last < 0)
        return false;
    for (int64_t d = 0; d < t.dim(); ++d) {
        if (t.stride(d) < 0)
            return false;
        last += (t.size(d) - 1) * t.stride(d);
    }
    return uint64_t(last + 1) * uint64_t(t.element_size()) <= uint64_t(t.storage().nbytes());
}

namespace {

Status copyChecked(const std::string& key, const torch::Tensor& from, torch::Tensor& into,
                   const std::string& where, const std::string& path) {
    if (!storageCovers(from))
        return makeError(
            "tensor '" + where + key + "' is damaged (its data is shorter than its shape)", path);
    if (from.sizes() != into.sizes())
        return makeError("tensor '" + where + key + "' has " + std::to_string(from.numel()) +
                             " values where this model has " + std::to_string(into.numel()) +
                             ": a model of another shape",
                         path);
    torch::NoGradGuard noGrad;
    into.copy_(from.to(into.scalar_type()));
    return {};
}

Status loadModuleInto(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                      const std::string& where, const std::string& path) {
    for (auto& p : module.named_parameters(/*recurse=*/false)) {
        torch::Tensor read;
        if (!archive.try_read(p.key(), read))
            return makeError("model file lacks tensor '" + where + p.key() + "'", path);
        if (Status s = copyChecked(p.key(), read, p.value(), where, path); !s)
            return s;
    }
    for (auto& b : module.named_buffers(/*recurse=*/false)) {
        torch::Tensor read;
        if (!archive.try_read(b.key(), read, /*is_buffer=*/true))
            return makeError("model file lacks tensor '" + where + b.key() + "'", path);
        if (Status s = copyChecked(b.key(), read, b.value(), where, path); !s)
            return s;
    }
    for (const auto& child : module.named_children()) {
        if (!child.value()->is_serializable())
            continue;
        torch::serialize::InputArchive nested;
        if (!archive.try_read(child.key(), nested))
            return makeError("model file lacks part '" + where + child.key() + "'", path);
        if (Status s = loadModuleInto(*child.value(), nested, where + child.key() + ".", path); !s)
            return s;
    }
    return {};
}

}  // namespace

Status loadModuleChecked(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                         const std::string& path) {
    return loadModuleInto(module, archive, "", path);
}

bool validOffsets(const std::vector<int64_t>& offsets, int64_t values) {
    if (offsets.empty() || offsets.front() != 0 || offsets.back() != values)
        return false;
    return std::is_sorted(offsets.begin(), offsets.end());
}

bool validIds(const std::vector<int64_t>& ids, int64_t limit) {
    return std::all_of(ids.begin(), ids.end(), [limit](int64_t v) { return v >= 0 && v < limit; });
}

Status loadCheckedArchive(torch::serialize::InputArchive& archive, const std::string& path) {
    if (Status s = checkTorchArchive(path); !s)
        return s;
    archive.load_from(path);
    return {};
}

Status saveModelArchive(const std::string& path, const std::string& modelName,
                        const ParamValues& params,
                        const std::map<std::string, torch::Tensor>& tensors) {
    try {
        torch::serialize::OutputArchive archive;
        archive.write("model", c10::IValue(modelName));
        writeParams(archive, params);
        for (const auto& [key, tensor] : tensors)
            archive.write("tensor." + key, tensor.detach().to(torch::kCPU), /*is_buffer=*/true);
        archive.save_to(path);
    } catch (const std::exception& e) {
        return makeError(std::string("cannot write model: ") + e.what(), path);
    }
    return {};
}

Result<ModelArchive> loadModelArchive(const std::string& path, const std::string& modelName,
                                      const std::vector<std::string>& tensorNames) {
    ModelArchive out;
    try {
        torch::serialize::InputArchive archive;
        if (Status s = loadCheckedArchive(archive, path); !s)
            return s.error();
        c10::IValue name;
        if (!archive.try_read("model", name) || !name.isString())
            return makeError("not a RecScope model file (no model name)", path);
        if (name.toStringRef() != modelName)
            return makeError(
                "file holds model '" + name.toStringRef() + "', expected '" + modelName + "'",
                path);
        out.params = readParams(archive);
        for (const auto& key : archive.keys()) {
            if (key.rfind("tensor.", 0) != 0)
                continue;
            torch::Tensor t;
            if (!archive.try_read(key, t, /*is_buffer=*/true))
                continue;
            if (!storageCovers(t))
                return makeError("model file's tensor '" + key.substr(7) +
                                     "' is damaged (its data is shorter than its shape)",
                                 path);
            out.tensors[key.substr(7)] = t;
        }
        for (const auto& tensorName : tensorNames) {
            if (!out.tensors.count(tensorName))
                return makeError("model file lacks tensor '" + tensorName + "'", path);
        }
    } catch (const std::exception& e) {
        return makeError(std::string("cannot read model: ") + e.what(), path);
    }
    return out;
}

}  // namespace recscope
