-- Chat robots as a contact's channel (src/coordination/robots.ts): a DingTalk custom robot, a WeCom group robot
-- or a Feishu/Lark custom bot — its webhook URL and, for DingTalk and Feishu, the signing secret the robot shows.
ALTER TABLE contacts
  ADD COLUMN robot_kind   text CHECK (robot_kind IN ('dingtalk', 'wecom', 'feishu')),
  ADD COLUMN robot_url    text,
  ADD COLUMN robot_secret text,
  ADD CONSTRAINT contacts_robot_complete CHECK ((robot_kind IS NULL) = (robot_url IS NULL));
