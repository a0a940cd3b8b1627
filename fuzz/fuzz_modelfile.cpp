// A model file from someone else (issue 18): every model kind's checkpoint reader, LibTorch's
// archive loader behind the neural ones included, then the inspector's first questions to the
// loaded model. The first input byte picks the model kind (registry order); the rest is split at
// "\n####\n" into the checkpoint's files, in the order a trained model of that kind writes them
// (one file for most kinds, a folder of files for pipeline). Whatever loads must either be
// refused by loadRun or answer top-k lists of the right length for any user, known or what-if.
//
// RECSCOPE_FUZZ_VERBOSE=1 prints what each input gave (loaded, or the refusal).
// RECSCOPE_FUZZ_SEEDS=DIR writes one seed per kind (a real checkpoint of a model fitted on the
// fuzzer's small dataset) into DIR at start-up; run-fuzzers.sh uses it, so no binary seed is
// kept in the repository.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <torch/torch.h>

#include "core/data/SyntheticGenerator.h"
#include "core/inspect/LoadedRun.h"
#include "core/inspect/UserInspection.h"
#include "core/models/ModelRegistry.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/nn/TorchModels.h"
#include "core/split/Split.h"
#include "fuzz/FuzzSupport.h"

using namespace recscope;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSep = "\n####\n";

// Small settings so that start-up (one fit per kind) stays within seconds.
std::map<std::string, std::string> quickParams(const std::string& name) {
    const std::map<std::string, std::map<std::string, std::string>> table = {
        {"bpr", {{"epochs", "2"}, {"patience", "0"}, {"factors", "8"}}},
        {"mf", {{"epochs", "2"}, {"patience", "0"}}},
        {"neuralmf", {{"epochs", "1"}, {"patience", "0"}, {"refit", "false"}}},
        {"neumf", {{"epochs", "1"}, {"patience", "0"}, {"refit", "false"}}},
        {"twotower",
         {{"epochs", "1"}, {"patience", "0"}, {"dim", "8"}, {"embedding", "8"}, {"width", "16"}}},
        {"pipeline",
         {{"retriever.epochs", "1"},
          {"retriever.patience", "0"},
          {"retriever.dim", "8"},
          {"retriever.embedding", "8"},
          {"retriever.width", "16"},
          {"ranker.epochs", "1"},
          {"ranker.patience", "0"},
          {"ranker.embedding", "8"},
          {"ranker.width", "16"},
          {"pipeline.candidates", "20"}}},
        {"sasrec",
         {{"epochs", "1"}, {"patience", "0"}, {"dim", "8"}, {"max_len", "10"}, {"refit", "false"}}},
        {"ials", {{"factors", "8"}, {"iterations", "2"}}},
        {"puresvd", {{"rank", "8"}}},
    };
    const auto it = table.find(name);
    return it == table.end() ? std::map<std::string, std::string>{} : it->second;
}

struct Kind {
    std::string name;
    std::map<std::string, std::string> params;
    bool folder = false;
    std::vector<std::string> files;  // relative to the checkpoint folder (folder kinds)
};

struct World {
    std::shared_ptr<const Dataset> dataset;
    SplitConfig split;
    std::vector<Kind> kinds;
};

std::string readAll(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

World makeWorld() {
    World w;
    setenv("OMP_NUM_THREADS", "1", 0);
    torch::set_num_threads(1);
    registerTorchModels();
    SyntheticConfig config;
    config.seed = 5;
    config.users = 40;
    config.items = 60;
    config.ratings = 900;
    w.dataset = std::make_shared<const Dataset>(generateSynthetic(config).value());
    w.split = defaultSplitConfig(Protocol::Temporal);
    const Split split = makeSplit(*w.dataset, w.split).value();
    const TrainData train = TrainData::build(split, w.dataset.get());
    const char* seedDir = std::getenv("RECSCOPE_FUZZ_SEEDS");
    for (const auto& entry : ModelRegistry::global().entries()) {
        Kind kind{entry.name, quickParams(entry.name), false, {}};
        std::unique_ptr<Recommender> model = createModel(entry.name);
        if (!model || !model->configure(kind.params))
            std::abort();
        FitContext context;
        context.seed = 3;
        if (!model->fit(train, context))
            std::abort();
        const fs::path saved = fuzz::scratchDir() / ("seed-" + entry.name);
        if (!model->save(saved.string()))
            std::abort();
        std::string seed(1, char(w.kinds.size()));
        if (fs::is_directory(saved)) {
            kind.folder = true;
            for (const auto& e : fs::recursive_directory_iterator(saved))
                if (e.is_regular_file())
                    kind.files.push_back(fs::relative(e.path(), saved).string());
            std::sort(kind.files.begin(), kind.files.end());
            for (size_t i = 0; i < kind.files.size(); ++i)
                seed += (i ? std::string(kSep) : std::string()) + readAll(saved / kind.files[i]);
        } else {
            seed += readAll(saved);
        }
        if (seedDir) {
            std::ofstream out(fs::path(seedDir) / ("seed-" + entry.name), std::ios::binary);
            out << seed;
        }
        fs::remove_all(saved);
        w.kinds.push_back(std::move(kind));
    }
    return w;
}

const World& world() {
    static const World w = makeWorld();
    return w;
}

void checkList(const Result<std::vector<RecommendedItem>>& list, int k, int32_t items) {
    if (!list)
        return;
    if (list->size() > size_t(k))
        std::abort();
    for (const RecommendedItem& r : list.value())
        if (r.item < 0 || r.item >= items)
            std::abort();  // an item id the dataset does not have
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    world();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1)
        return 0;
    const World& w = world();
    const Kind& kind = w.kinds[data[0] % w.kinds.size()];
    fuzz::clearScratch();
    const fs::path checkpoint = fuzz::scratchDir() / "model.bin";
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    if (kind.folder) {
        for (size_t i = 0; i < kind.files.size(); ++i) {
            const size_t at = rest.find(kSep);
            const std::string_view part = rest.substr(0, at);
            const fs::path file = checkpoint / kind.files[i];
            fs::create_directories(file.parent_path());
            fuzz::writeFile(file, reinterpret_cast<const uint8_t*>(part.data()), part.size());
            if (at == std::string_view::npos)
                break;  // the later files are missing
            rest = rest.substr(at + kSep.size());
        }
    } else {
        fuzz::writeFile(checkpoint, reinterpret_cast<const uint8_t*>(rest.data()), rest.size());
    }

    LoadRunRequest request;
    request.runId = 1;
    request.config.model = kind.name;
    request.config.split = w.split;
    request.config.params = kind.params;
    request.checkpointPath = checkpoint.string();
    Result<LoadedRun> loaded = loadRun(request, w.dataset);
    if (!loaded) {
        if (loaded.error().message.empty())
            std::abort();  // a refusal must say why
        if (std::getenv("RECSCOPE_FUZZ_VERBOSE"))
            std::fprintf(stderr, "%s: %s\n", kind.name.c_str(), loaded.error().toString().c_str());
        return 0;
    }
    if (std::getenv("RECSCOPE_FUZZ_VERBOSE"))
        std::fprintf(stderr, "%s: loaded\n", kind.name.c_str());
    const auto run = std::make_shared<const LoadedRun>(std::move(loaded).value());
    const UserInspection inspection(run);
    const int32_t items = w.dataset->numItems();
    std::vector<HistoryEntry> history;
    for (int32_t item : {0, 7, items - 1})
        history.push_back(inspection.entry(item, 5.0f));
    for (const RunStage stage : {RunStage::Final, RunStage::Retriever}) {
        if (stage == RunStage::Retriever && !run->twoStage())
            break;
        for (const int32_t user : {0, inspection.numUsers() / 2, inspection.numUsers() - 1})
            checkList(inspection.topK(stage, user, 10), 10, items);
        checkList(inspection.topKForHistory(stage, history, 10), 10, items);
    }
    return 0;
}
