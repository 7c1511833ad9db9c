export { FilterListError, matchFilterList, parseFilterList } from "./filter-list.js";
export type { FilterList } from "./filter-list.js";
