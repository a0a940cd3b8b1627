#include "core/models/Recommender.h"

namespace recscope {

Status Recommender::configure(const std::map<std::string, std::string>& overrides) {
    auto resolved = ParamValues::resolve(paramSpecs(), overrides);
    if (!resolved)
        return Status(makeError("model '" + name() + "': " + resolved.error().message));
    m_params = std::move(resolved.value());
    return {};
}

}  // namespace recscope
