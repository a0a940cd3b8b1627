#pragma once
// What DatasetLoadWorker is asked to load. A value type: it crosses threads by queued signal.

#include <QMetaType>
#include <QString>
#include <cstdint>
#include <memory>

#include "core/common/Progress.h"
#include "core/data/SyntheticGenerator.h"

namespace recscope::ui {

struct DatasetLoadRequest {
    enum class Kind {
        Path,       // a MovieLens folder or .zip at `path`
        Demo,       // the built-in demo (demoDataset())
        Synthetic,  // generateSynthetic(`synthetic`)
    };

    uint64_t id = 0;  // echoed in every reply so that the owner can drop stale ones
    Kind kind = Kind::Demo;
    QString path;
    SyntheticConfig synthetic;
    // Shared with the owner, which sets it from the GUI thread; the worker polls it.
    std::shared_ptr<CancelToken> cancel;
};

}  // namespace recscope::ui

Q_DECLARE_METATYPE(recscope::ui::DatasetLoadRequest)
