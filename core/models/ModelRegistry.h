#pragma once
// Name -> factory table of every model the CLI and GUI can build. Classic (Eigen) models are
// registered by registerClassicModels() (core/models), the LibTorch ones by
// registerNeuralModels() (core/nn/NeuralModels.cpp). The global registry is built once, on
// first use, and is read-only afterwards (safe from any thread).

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace recscope {

class Recommender;

class ModelRegistry {
public:
    using Factory = std::function<std::unique_ptr<Recommender>()>;

    struct Entry {
        std::string name;         // "ease": what --model and the GUI accept
        std::string description;  // one line for help texts and tooltips
        Factory factory;
    };

    // A later add() with the same name replaces the earlier entry (keeps its position).
    void add(std::string name, std::string description, Factory factory);

    const std::vector<Entry>& entries() const { return m_entries; }
    std::vector<std::string> names() const;
    const Entry* find(const std::string& name) const;                    // null when unknown
    std::unique_ptr<Recommender> create(const std::string& name) const;  // null when unknown

    // The process-wide registry with every built-in model.
    static const ModelRegistry& global();

private:
    std::vector<Entry> m_entries;
};

// pop, itemknn, userknn, ease, puresvd, ials.
void registerClassicModels(ModelRegistry& registry);
// mf, bpr, neuralmf, neumf: defined in core/nn/NeuralModels.cpp.
void registerNeuralModels(ModelRegistry& registry);

}  // namespace recscope
