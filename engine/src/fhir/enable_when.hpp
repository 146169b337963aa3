// Visibility conditions between the pack's JsonLogic and R4 enableWhen.
#pragma once

#include <string>

#include "fhir/pack_view.hpp"

namespace prescreen::fhir::detail {

/// Write a pack `enable_when` as R4 enableWhen entries (+ enableBehavior for two or more) when that
/// is exactly the same condition under R4 semantics; false when it cannot be written so (the
/// caller then carries the JsonLogic in the prescreen extension).
bool enable_when_of(const PackView& view, const json& logic, json& conditions, std::string& behavior);

/// An item's own condition, without the part its FHIR parent already imposes: nesting in FHIR
/// disables children with their parent, so an imported child's enable_when is
/// {"and": [parent's enable_when, own]} and only `own` is written on export.
json own_condition(const json& logic, const json* parent_logic);

}  // namespace prescreen::fhir::detail
