#include "core/data/SyntheticTitles.h"

#include <cstddef>
#include <string>

namespace recscope {

namespace {

const char* const kAdjectives[] = {
    "Dark",    "Last",    "Silent",  "Broken",    "Golden",   "Secret", "Lost",    "Wild",
    "Hidden",  "Crimson", "Endless", "Frozen",    "Midnight", "Savage", "Little",  "Eternal",
    "Burning", "Quiet",   "Distant", "Electric",  "Bitter",   "Sweet",  "Hollow",  "Iron",
    "Velvet",  "Lonely",  "Final",   "Forgotten", "Brave",    "Crazy",  "Perfect", "Strange",
    "Blue",    "Red",     "White",   "Deadly",    "Sacred",   "Naked",  "Fatal",   "Happy"};
const char* const kNouns[] = {
    "River",  "City",    "Night",    "Heart",    "Road",    "Dream",     "Garden",  "Storm",
    "Shadow", "Kingdom", "Island",   "Mountain", "Journey", "Promise",   "Mirror",  "Empire",
    "Harbor", "Station", "Letter",   "Summer",   "Winter",  "Stranger",  "Horizon", "Frontier",
    "Circus", "Machine", "Planet",   "Hunter",   "Dragon",  "Detective", "Highway", "Ocean",
    "Forest", "Castle",  "Prophecy", "Legacy",   "Game",    "Affair",    "Witness", "Orchard"};
// Accented names and places test the Latin-1 and UTF-8 paths; two are outside Latin-1
// (Dvořák, Łódź) and become '?' in the Latin-1 formats.
const char* const kNames[] = {"Annie",    "Max",   "Jack",   "Lola",  "Victor", "Maria",
                              "Harry",    "Eva",   "Oscar",  "Lucy",  "Felix",  "Nina",
                              "Amélie",   "Zoë",   "José",   "Renée", "Björn",  "Søren",
                              "François", "Chloé", "Dvořák", "Marge", "Tom",    "Ingrid"};
const char* const kPlaces[] = {"Paris",      "Tokyo",     "Chicago", "Montréal",  "Göteborg",
                               "Zürich",     "São Paulo", "Málaga",  "Reykjavík", "Łódź",
                               "Kraków",     "Berlin",    "Texas",   "Brooklyn",  "Rome",
                               "Casablanca", "Alaska",    "Memphis", "Bogotá",    "Köln"};
const char* const kForeign[] = {"Café",  "Déjà Vu", "Crème Brûlée", "Mañana",  "Noël",
                                "Señor", "Façade",  "Über",         "Fiancée", "Naïve"};
// Foreign titles with the trailing article as MovieLens writes them ("Misérables, Les").
const char* const kFrenchTitles[] = {"Misérables, Les",  "Enfants du Paradis, Les",
                                     "Règle du Jeu, La", "Mépris, Le",
                                     "Haine, La",        "Samouraï, Le"};

template <typename T, size_t N>
const char* pick(DeterministicRng& rng, T (&list)[N]) {
    return list[rng.below(N)];
}

}  // namespace

std::string makeSyntheticTitle(DeterministicRng& rng, int year) {
    const double u = rng.uniform();
    std::string t;
    if (u < 0.20) {
        t = std::string(pick(rng, kAdjectives)) + " " + pick(rng, kNouns) + ", The";
    } else if (u < 0.34) {
        t = std::string(pick(rng, kAdjectives)) + " " + pick(rng, kNouns);
    } else if (u < 0.41) {
        t = std::string(pick(rng, kNouns)) + " in " + pick(rng, kPlaces) + ", A";
    } else if (u < 0.51) {
        t = std::string(pick(rng, kNames)) + "'s " + pick(rng, kNouns);
    } else if (u < 0.58) {
        t = std::string(pick(rng, kNouns)) + " of " + pick(rng, kPlaces) + ", The";
    } else if (u < 0.65) {
        t = std::string(pick(rng, kNouns)) + ", " + pick(rng, kNouns) + " and " + pick(rng, kNouns);
    } else if (u < 0.70) {
        t = std::string(pick(rng, kNames)) + " and the \"" + pick(rng, kAdjectives) + " " +
            pick(rng, kNouns) + "\"";
    } else if (u < 0.78) {
        t = std::string(pick(rng, kForeign)) + " " + pick(rng, kNouns);
    } else if (u < 0.83) {
        t = std::string(pick(rng, kAdjectives)) + " " + pick(rng, kNouns) + " " +
            std::to_string(2 + rng.below(3));
    } else if (u < 0.86) {
        t = pick(rng, kFrenchTitles);
    } else if (u < 0.92) {
        t = std::string(pick(rng, kAdjectives)) + " " + pick(rng, kNouns) + ": The " +
            pick(rng, kNouns);
    } else {
        t = std::string(pick(rng, kNames)) + " in " + pick(rng, kPlaces);
    }
    return t + " (" + std::to_string(year) + ")";
}

}  // namespace recscope
