import { fuzzRoutes } from "./fuzz";

fuzzRoutes(1, 2);
