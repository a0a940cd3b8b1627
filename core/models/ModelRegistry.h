#pragma once
// Name -> factory table of every model the CLI and GUI can build. The global registry starts
// with the classic (Eigen) models of registerClassicModels(); a program adds the LibTorch ones
// with registerTorchModels() (core/nn/TorchModels.h, in recscope_torch) at the start of
// main(), so that this library links no LibTorch. After start-up it is read-only (safe from
// any thread).

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace recscope {

class Recommender;

// What a model can do, as its class declares it (Recommender's virtuals, read from an instance
// configured with its defaults). Callers ask these, never a model's name.
struct ModelCapabilities {
    bool embeddings = false;   // latent vectors for the embedding map (hasEmbeddings)
    bool foldIn = false;       // scores a what-if user from a history (canFoldIn)
    bool ratings = false;      // predicts ratings: RMSE / MAE (predictsRatings)
    bool staged = false;       // retriever, candidates and final lists (staged)
    bool torch = false;        // a LibTorch model: trains on the chosen device (usesDevice)
    bool distributed = false;  // trains data-parallel with its defaults (canDistribute)
    bool validation = false;   // fit() reads the validation part (usesValidation)
};

ModelCapabilities capabilitiesOf(const Recommender& model);

class ModelRegistry {
public:
    using Factory = std::function<std::unique_ptr<Recommender>()>;

    struct Entry {
        std::string name;         // "ease": what --model and the GUI accept
        std::string description;  // one line for help texts and tooltips
        Factory factory;
        ModelCapabilities capabilities;  // read from a default instance when added
    };

    // A later add() with the same name replaces the earlier entry (keeps its position).
    void add(std::string name, std::string description, Factory factory);

    const std::vector<Entry>& entries() const { return m_entries; }
    std::vector<std::string> names() const;
    const Entry* find(const std::string& name) const;                    // null when unknown
    std::unique_ptr<Recommender> create(const std::string& name) const;  // null when unknown
    // None for a name that is not registered (a run recorded by another build).
    ModelCapabilities capabilities(const std::string& name) const;

    // The process-wide registry: the classic models and whatever extendGlobal() added.
    static const ModelRegistry& global();
    // Adds a library's models to the global registry. From main() (or a static initialiser)
    // before any other thread reads it; a plugin added twice replaces its own entries.
    static void extendGlobal(void (*plugin)(ModelRegistry& registry));

private:
    std::vector<Entry> m_entries;
};

// pop, itemknn, userknn, ease, puresvd, ials.
void registerClassicModels(ModelRegistry& registry);

}  // namespace recscope
