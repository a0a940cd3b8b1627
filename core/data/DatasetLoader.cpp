#include "core/data/DatasetLoader.h"

#include <algorithm>
#include <exception>
#include <new>
#include <thread>

#include "core/data/DataSource.h"
#include "core/data/DatasetBuilder.h"
#include "core/data/DatasetCache.h"
#include "core/data/DatasetReader.h"

namespace recscope {

namespace {

// Stage fractions of the whole load.
constexpr double kReadEnd = 0.8;
constexpr double kBuildEnd = 0.95;

std::string cacheFingerprint(const DatasetReader& reader, const DatasetReader::Detection& det,
                             const DataSource& source) {
    return std::string("reader=") + reader.name() + " format=" + formatName(det.format) +
           " prefix=" + det.prefix + "\n" +
           source.fingerprint(reader.filesToRead(source, det.prefix));
}

Result<Dataset> load(const std::string& path, const LoadOptions& options,
                     const ProgressFn& progress, const CancelToken* cancel) {
    report(progress, "Opening " + path, 0.0);
    auto opened = DataSource::open(path);
    if (!opened)
        return opened.error();
    const DataSource& source = *opened.value();
    auto detected = DatasetReader::detect(source);
    if (!detected)
        return detected.error();
    const DatasetReader::Detection det = detected.value();
    const DatasetReader& reader = *det.reader;
    int threads = options.threads;
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

    const DatasetCache cache(DatasetCache::resolveDir(options.cacheDir));
    std::string fingerprint;
    if (options.useCache) {
        fingerprint = cacheFingerprint(reader, det, source);
        report(progress, "Opening cached copy", 0.02);
        if (auto cached = cache.load(source.path(), fingerprint)) {
            report(progress, "Loaded from cache", 1.0);
            return std::move(*cached);
        }
    }
    if (isCancelled(cancel))
        return cancelledError();

    DatasetBuilder builder;
    ReadContext ctx;
    ctx.source = &source;
    ctx.prefix = det.prefix;
    ctx.format = det.format;
    ctx.threads = threads;
    ctx.cancel = cancel;
    if (progress) {
        ctx.progress = [&progress](const Progress& p) {
            progress(Progress{p.stage, p.fraction < 0 ? -1.0 : p.fraction * kReadEnd});
        };
    }
    if (Status st = reader.read(ctx, builder); !st)
        return st.error();
    if (isCancelled(cancel))
        return cancelledError();

    report(progress, "Building dataset", kReadEnd);
    Dataset ds = builder.build(det.format, source.path(), reader.scale(det.format), threads);
    if (isCancelled(cancel))
        return cancelledError();

    // Only cache what was read from files that did not change meanwhile.
    if (options.useCache && cacheFingerprint(reader, det, source) == fingerprint) {
        report(progress, "Writing cache", kBuildEnd);
        (void)cache.store(ds, source.path(), fingerprint);  // a failed cache write is not fatal
    }
    report(progress, "Done", 1.0);
    return ds;
}

}  // namespace

Result<Dataset> loadDataset(const std::string& path, const LoadOptions& options,
                            const ProgressFn& progress, const CancelToken* cancel) {
    try {
        return load(path, options, progress, cancel);
    } catch (const std::bad_alloc&) {
        return makeError("out of memory while loading the dataset", path);
    } catch (const std::exception& e) {
        return makeError(std::string("unexpected error while loading: ") + e.what(), path);
    } catch (...) {
        return makeError("unexpected error while loading", path);
    }
}

Result<DatasetFormat> detectFormat(const std::string& path) {
    try {
        auto opened = DataSource::open(path);
        if (!opened)
            return opened.error();
        auto det = DatasetReader::detect(*opened.value());
        if (!det)
            return det.error();
        return det->format;
    } catch (const std::exception& e) {
        return makeError(std::string("unexpected error: ") + e.what(), path);
    }
}

}  // namespace recscope
