#include "core/models/Recommender.h"

namespace recscope {

Status Recommender::configure(const std::map<std::string, std::string>& overrides) {
    auto resolved = ParamValues::resolve(paramSpecs(), overrides);
    if (!resolved)
        return Status(makeError("model '" + name() + "': " + resolved.error().message));
    m_params = std::move(resolved.value());
    return {};
}

Status Recommender::scoreHistory(const std::vector<HistoryEntry>&, float*) const {
    return Status(makeError(ErrorCode::Unsupported,
                            name() + " cannot fold in a new user: the model has no way to "
                                     "place a user it was not trained on"));
}

}  // namespace recscope
