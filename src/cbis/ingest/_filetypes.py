"""Names for the kinds of file a stat mode describes, for messages an examiner reads."""

import stat


def describe_file_type(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "regular file"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISDOOR(mode):
        return "door"
    if stat.S_ISPORT(mode):
        return "event port"
    if stat.S_ISWHT(mode):
        return "whiteout"
    return f"unknown file type {stat.S_IFMT(mode):#o}"
