// The colours of every chart: the Okabe-Ito palette, distinguishable with the common forms of
// colour blindness. Marks use kBase; the point of a finding is drawn in kAccent.
#ifndef DATASTORY_RENDER_PALETTE_H_
#define DATASTORY_RENDER_PALETTE_H_

#include <array>

namespace datastory::render {

inline constexpr const char* kBase = "#0072B2";    // blue
inline constexpr const char* kAccent = "#D55E00";  // vermillion
inline constexpr const char* kMuted = "#999999";   // fit lines, rules
inline constexpr std::array<const char*, 8> kCategorical = {
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"};

}  // namespace datastory::render

#endif  // DATASTORY_RENDER_PALETTE_H_
