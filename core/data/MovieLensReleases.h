#pragma once
// The catalogue of official GroupLens MovieLens releases that the app can download: name, size
// and checksum as published on files.grouplens.org. Sizes and MD5s are those of the .zip files
// and of the <name>.zip.md5 files GroupLens publishes beside them.

#include <cstdint>
#include <string>
#include <vector>

namespace recscope {

struct MovieLensRelease {
    std::string id;         // "ml-100k": the archive's base name on files.grouplens.org
    std::string title;      // "MovieLens 100K"
    std::string summary;    // one line: ratings, users, movies, year
    int64_t sizeBytes = 0;  // published size of the .zip; 0 when unknown
    std::string md5;        // lowercase hex of the .zip; empty when no published checksum is known

    std::string fileName() const { return id + ".zip"; }
};

// Where GroupLens serves the archives (with a trailing '/').
constexpr const char* kMovieLensBaseUrl = "https://files.grouplens.org/datasets/movielens/";

// Every downloadable release, in order of rating count.
const std::vector<MovieLensRelease>& movieLensReleases();

// The release with this id, or nullptr.
const MovieLensRelease* findMovieLensRelease(const std::string& id);

// baseUrl + release.fileName(); baseUrl must end with '/'.
std::string movieLensReleaseUrl(const MovieLensRelease& release,
                                const std::string& baseUrl = kMovieLensBaseUrl);

}  // namespace recscope
