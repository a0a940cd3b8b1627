#include "core/models/ModelRegistry.h"

#include "core/models/Recommender.h"

namespace recscope {

ModelCapabilities capabilitiesOf(const Recommender& model) {
    ModelCapabilities c;
    c.embeddings = model.hasEmbeddings();
    c.foldIn = model.canFoldIn();
    c.ratings = model.predictsRatings();
    c.staged = model.staged() != nullptr;
    c.torch = model.usesDevice();
    c.distributed = model.canDistribute();
    c.validation = model.usesValidation();
    return c;
}

void ModelRegistry::add(std::string name, std::string description, Factory factory) {
    ModelCapabilities capabilities;
    if (factory) {
        std::unique_ptr<Recommender> model = factory();
        if (model && model->configure({}))
            capabilities = capabilitiesOf(*model);
    }
    for (auto& e : m_entries) {
        if (e.name == name) {
            e.description = std::move(description);
            e.factory = std::move(factory);
            e.capabilities = capabilities;
            return;
        }
    }
    m_entries.push_back(
        Entry{std::move(name), std::move(description), std::move(factory), capabilities});
}

ModelCapabilities ModelRegistry::capabilities(const std::string& name) const {
    const Entry* e = find(name);
    return e ? e->capabilities : ModelCapabilities{};
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

namespace {

ModelRegistry& globalRegistry() {
    static ModelRegistry registry = [] {
        ModelRegistry r;
        registerClassicModels(r);
        return r;
    }();
    return registry;
}

}  // namespace

const ModelRegistry& ModelRegistry::global() {
    return globalRegistry();
}

void ModelRegistry::extendGlobal(void (*plugin)(ModelRegistry& registry)) {
    if (plugin)
        plugin(globalRegistry());
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
