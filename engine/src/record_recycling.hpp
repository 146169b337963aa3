// Screening records' memory, handed back and reused instead of freed (record_recycling.cpp).
#pragma once

#include <memory>

#include "protocol_model.hpp"

namespace prescreen::detail {

/// A record's data, as a new one reads (RecordData::clear), from a recycled one when there is one.
std::unique_ptr<RecordData> take_record_data();
/// Keeps `data` for a later take_record_data, on this thread or another; frees it when enough are kept.
void give_record_data(std::unique_ptr<RecordData> data) noexcept;

}  // namespace prescreen::detail
