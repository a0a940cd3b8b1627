#include "core/data/MovieLensReleases.h"

namespace recscope {

const std::vector<MovieLensRelease>& movieLensReleases() {
    // MD5s: GroupLens' <name>.zip.md5 files. ml-latest-small is a development set that GroupLens
    // regenerates from time to time, and no published checksum could be pinned for it, so only
    // its size is checked.
    static const std::vector<MovieLensRelease> releases = {
        {"ml-latest-small", "MovieLens Latest (small)",
         "100,836 ratings, 610 users, 9,742 movies; development set, changes over time", 978202,
         ""},
        {"ml-100k", "MovieLens 100K", "100,000 ratings, 943 users, 1,682 movies (1998)", 4924029,
         "0e33842e24a9c977be4e0107933c0723"},
        {"ml-1m", "MovieLens 1M", "1,000,209 ratings, 6,040 users, 3,706 movies (2003)", 5917549,
         "c4d9eecfca2ab87c1945afe126590906"},
        {"ml-10m", "MovieLens 10M", "10,000,054 ratings, 69,878 users, 10,677 movies (2009)",
         65566137, "ce571fd55effeba0271552578f2648bd"},
        {"ml-20m", "MovieLens 20M", "20,000,263 ratings, 138,493 users, 27,278 movies (2015)",
         198702078, "cd245b17a1ae2cc31bb14903e1204af3"},
        {"ml-25m", "MovieLens 25M", "25,000,095 ratings, 162,541 users, 62,423 movies (2019)",
         261978986, "6b51fb2759a8657d3bfcbfc42b592ada"},
        {"ml-32m", "MovieLens 32M", "32,000,204 ratings, 200,948 users, 87,585 movies (2023)",
         238950008, "d472be332d4daa821edc399621853b57"},
    };
    return releases;
}

const MovieLensRelease* findMovieLensRelease(const std::string& id) {
    for (const MovieLensRelease& release : movieLensReleases()) {
        if (release.id == id)
            return &release;
    }
    return nullptr;
}

std::string movieLensReleaseUrl(const MovieLensRelease& release, const std::string& baseUrl) {
    return baseUrl + release.fileName();
}

}  // namespace recscope
