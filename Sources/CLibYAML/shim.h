// libyaml from Debian (libyaml-dev; libyaml-0-2 at run time): the YAML 1.1 parser behind program
// and block files. PLCGraph's YAMLComposer builds its node tree from the parser's events.
#include <yaml.h>
