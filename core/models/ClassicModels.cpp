// Registration of the Eigen / sparse models (see ModelRegistry.h).
#include <memory>

#include "core/models/AlsModel.h"
#include "core/models/EaseModel.h"
#include "core/models/ItemKnnModel.h"
#include "core/models/ModelRegistry.h"
#include "core/models/PopularityModel.h"
#include "core/models/PureSvdModel.h"
#include "core/models/UserKnnModel.h"

namespace recscope {

void registerClassicModels(ModelRegistry& registry) {
    registry.add("pop", "Most popular items (training-positive count)",
                 [] { return std::make_unique<PopularityModel>(); });
    registry.add("itemknn", "Item-based kNN, shrunk cosine similarity",
                 [] { return std::make_unique<ItemKnnModel>(); });
    registry.add("userknn", "User-based kNN, shrunk cosine similarity",
                 [] { return std::make_unique<UserKnnModel>(); });
    registry.add("ease", "EASE^R closed-form item-item model (Steck 2019)",
                 [] { return std::make_unique<EaseModel>(); });
    registry.add("puresvd", "PureSVD: truncated SVD of the user-item matrix",
                 [] { return std::make_unique<PureSvdModel>(); });
    registry.add("ials", "Implicit-feedback ALS (Hu, Koren, Volinsky 2008)",
                 [] { return std::make_unique<AlsModel>(); });
}

}  // namespace recscope
