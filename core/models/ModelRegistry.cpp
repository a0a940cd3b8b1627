#include "core/models/ModelRegistry.h"

#include "core/models/Recommender.h"

namespace recscope {

void ModelRegistry::add(std::string name, std::string description, Factory factory) {
    for (auto& e : m_entries) {
        if (e.name == name) {
            e.description = std::move(description);
            e.factory = std::move(factory);
            return;
        }
    }
    m_entries.push_back(Entry{std::move(name), std::move(description), std::move(factory)});
}

std::vector<std::string> ModelRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& e : m_entries)
        out.push_back(e.name);
    return out;
}

const ModelRegistry::Entry* ModelRegistry::find(const std::string& name) const {
    for (const auto& e : m_entries)
        if (e.name == name)
            return &e;
    return nullptr;
}

std::unique_ptr<Recommender> ModelRegistry::create(const std::string& name) const {
    const Entry* e = find(name);
    return e && e->factory ? e->factory() : nullptr;
}

const ModelRegistry& ModelRegistry::global() {
    static const ModelRegistry registry = [] {
        ModelRegistry r;
        registerClassicModels(r);
        registerNeuralModels(r);
        return r;
    }();
    return registry;
}

std::vector<std::string> modelNames() {
    return ModelRegistry::global().names();
}

std::unique_ptr<Recommender> createModel(const std::string& name) {
    auto model = ModelRegistry::global().create(name);
    // Defaults are resolved up front so params() is complete before any configure() call.
    if (model && !model->configure({}))
        return nullptr;
    return model;
}

}  // namespace recscope
