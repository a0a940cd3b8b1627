// A lesson file from a teacher (issue 18): the parser behind Help > Lessons > Open. Whatever it
// accepts must be a lesson the runner can start (a title, runs that pass validateRunConfig, a
// watch count of 0..5); whatever it refuses must say why, on a line the file has.

#include <QByteArray>
#include <QString>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/models/ModelRegistry.h"
#include "core/nn/TorchModels.h"
#include "core/run/Experiment.h"
#include "ui/lessons/Lesson.h"

using namespace recscope;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    registerTorchModels();  // lessons name the neural models too
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray text(reinterpret_cast<const char*>(data), qsizetype(size));
    const Result<ui::Lesson> lesson = ui::parseLesson(text, QStringLiteral("lesson.json"));
    if (!lesson) {
        const Error& e = lesson.error();
        const int64_t lines = std::count(text.begin(), text.end(), '\n') + 1;
        if (e.message.empty() || e.file != "lesson.json" || e.line < 0 || e.line > lines)
            std::abort();
        return 0;
    }
    if (lesson->runs.isEmpty() || lesson->watchUsers < 0 || lesson->watchUsers > 5)
        std::abort();
    for (const RunConfig& run : lesson->runs)
        if (!validateRunConfig(run))
            std::abort();
    return 0;
}
